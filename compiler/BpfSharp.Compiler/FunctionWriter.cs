using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>One method's C: its signature and its body, statement by statement from the operation tree.</summary>
    internal sealed partial class FunctionWriter
    {
        private readonly TranslationUnit _unit;
        private readonly IMethodSymbol _method;
        private readonly MethodDeclarationSyntax _syntax;
        private readonly bool _isProgram;
        private readonly IReadOnlyDictionary<IParameterSymbol, IFieldSymbol> _maps;
        private readonly HashSet<ILocalSymbol> _refusedSpans = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default); // declared, but over nothing the compiler can follow
        private readonly Dictionary<ILocalSymbol, int> _spanLengths = new Dictionary<ILocalSymbol, int>(SymbolEqualityComparer.Default); // Span<T> locals over stackalloc
        private readonly StringBuilder _body = new StringBuilder();
        private int _indent = 1;

        /// <summary>A writer for a method; <paramref name="maps"/>: the map each map parameter stands for in this copy (none for a program).</summary>
        public FunctionWriter(TranslationUnit unit, IMethodSymbol method, MethodDeclarationSyntax syntax, bool isProgram, IReadOnlyDictionary<IParameterSymbol, IFieldSymbol>? maps = null)
        {
            _unit = unit;
            _method = method;
            _syntax = syntax;
            _isProgram = isProgram;
            _maps = maps ?? new Dictionary<IParameterSymbol, IFieldSymbol>(SymbolEqualityComparer.Default);
        }

        private Location Where => _syntax.Identifier.GetLocation();

        /// <summary><c>int Name(void *ctx)</c>; a program returns int whatever its C# return type.</summary>
        public string Signature(string name)
        {
            var isProgram = _isProgram;
            if (!_method.IsStatic)
            {
                _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, Where, $"'{_method.Name}' is an instance method: BPF code has no objects, make it static");
            }

            // A map parameter is no C parameter: each copy of the method names its map directly.
            var parameters = _method.Parameters.Where(p => !_maps.ContainsKey(p)).Select(p =>
            {
                // ref, out and in parameters are pointers in C; the caller passes the variable's address.
                var pointer = p.RefKind == RefKind.None ? " " : " *";
                if (p.RefKind != RefKind.None && _isProgram)
                {
                    _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, p.Locations.FirstOrDefault() ?? Where, $"parameter '{p.Name}' of a program is passed by reference: the kernel passes a program its context only");
                }

                return _unit.CType(p.Type, p.Locations.FirstOrDefault() ?? Where) + pointer + CNames.Identifier(p.Name);
            }).ToList();
            var returns = isProgram && _method.ReturnsVoid ? "int" : _unit.CType(_method.ReturnType, Where);
            return returns + " " + name + "(" + (parameters.Count == 0 ? "void" : string.Join(", ", parameters)) + ")";
        }

        public string Body()
        {
            // The body's operation, not the declaration's: it is the one the compiler binds once for every analyzer.
            var bodySyntax = (SyntaxNode?)_syntax.Body ?? _syntax.ExpressionBody;
            _body.Append("{\n");
            if (bodySyntax != null && _unit.Model(_syntax.SyntaxTree).GetOperation(bodySyntax) is IBlockOperation block)
            {
                foreach (var statement in block.Operations)
                {
                    Statement(statement);
                }

                if (_isProgram && _method.ReturnsVoid)
                {
                    Line("return 0;"); // a program returns int to the kernel, whatever its C# return type
                }
            }
            else
            {
                _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, Where, $"'{_method.Name}' has no body to translate");
            }

            _body.Append("}");
            return _body.ToString();
        }

        private void Statement(IOperation operation)
        {
            LineDirective(operation.Syntax);
            switch (operation)
            {
                case IBlockOperation block:
                    Line("{");
                    _indent++;
                    foreach (var statement in block.Operations)
                    {
                        Statement(statement);
                    }

                    _indent--;
                    Line("}");
                    break;
                case IVariableDeclarationGroupOperation group:
                    foreach (var declarator in group.Declarations.SelectMany(d => d.Declarators))
                    {
                        var initializer = declarator.Initializer?.Value ?? declarator.GetVariableInitializer()?.Value;
                        if (initializer != null && (StackAllocation(declarator, initializer) || PointerSpan(declarator, initializer)))
                        {
                            continue;
                        }

                        var type = _unit.CType(declarator.Symbol.Type, declarator.Syntax.GetLocation());
                        Line(type + " " + CNames.Identifier(declarator.Symbol.Name) + (initializer is null ? " = {0};" : " = " + Expression(initializer) + ";"));
                    }

                    break;
                case IExpressionStatementOperation expression:
                    // A call whose result is dropped (an atomic add, a helper's status) is cast to void, as C wants.
                    Line((expression.Operation is IInvocationOperation invocation && !invocation.TargetMethod.ReturnsVoid || expression.Operation is ISimpleAssignmentOperation { Target: IDiscardOperation } ? "(void)" : string.Empty) + Expression(expression.Operation) + ";");
                    break;
                case IReturnOperation { Kind: OperationKind.Return } ret:
                    Line(ret.ReturnedValue is null ? (_isProgram ? "return 0;" : "return;") : "return " + Expression(ret.ReturnedValue) + ";");
                    break;
                case IConditionalOperation conditional:
                    Line("if (" + Expression(conditional.Condition) + ")");
                    Nested(conditional.WhenTrue);
                    if (conditional.WhenFalse != null)
                    {
                        Line("else");
                        Nested(conditional.WhenFalse);
                    }

                    break;
                case IWhileLoopOperation loop when loop.Condition != null && !loop.ConditionIsUntil:
                    RequireEnd(loop, loop.Condition);
                    if (loop.ConditionIsTop)
                    {
                        Line("while (" + Expression(loop.Condition) + ")");
                        Nested(loop.Body);
                    }
                    else
                    {
                        Line("do");
                        Nested(loop.Body);
                        Line("while (" + Expression(loop.Condition) + ");");
                    }

                    break;
                case IForLoopOperation loop:
                    RequireEnd(loop, loop.Condition);
                    Line("{");
                    _indent++;
                    foreach (var before in loop.Before)
                    {
                        Statement(before);
                    }

                    var step = string.Join(", ", loop.AtLoopBottom.Select(s => s is IExpressionStatementOperation e ? Expression(e.Operation) : Unsupported(s, "this loop step")));
                    Line("for (; " + (loop.Condition is null ? string.Empty : Expression(loop.Condition)) + "; " + step + ")");
                    Nested(loop.Body);
                    _indent--;
                    Line("}");
                    break;
                case ISwitchOperation switchOperation:
                    Switch(switchOperation);
                    break;
                case IBranchOperation { BranchKind: BranchKind.Break }:
                    Line("break;");
                    break;
                case IBranchOperation { BranchKind: BranchKind.Continue }:
                    Line("continue;");
                    break;
                case IEmptyOperation:
                    Line(";");
                    break;
                case { Kind: OperationKind.None } when operation.Syntax is FixedStatementSyntax:
                    Fixed(operation);
                    break;
                default:
                    Line(Unsupported(operation, Describe(operation)) + ";");
                    break;
            }
        }

        // 'fixed (T* p = &Global) body': BPF globals never move, so the pinning is only the pointer's scope.
        // Roslyn 4.8 gives 'fixed' no public operation type: its children are the declarations and the body.
        private void Fixed(IOperation operation)
        {
            Line("{");
            _indent++;
            foreach (var child in operation.ChildOperations)
            {
                if (child is IVariableDeclarationGroupOperation group)
                {
                    foreach (var declarator in group.Declarations.SelectMany(d => d.Declarators))
                    {
                        var initializer = declarator.Initializer?.Value ?? declarator.GetVariableInitializer()?.Value;
                        if (initializer?.DescendantsAndSelf().OfType<IUtf8StringOperation>().FirstOrDefault() is IUtf8StringOperation text)
                        {
                            // 'fixed (byte* p = "..."u8)': a C string literal (read-only data, NUL-terminated like the u8 literal).
                            Line(_unit.CType(declarator.Symbol.Type, declarator.Syntax.GetLocation()) + " " + CNames.Identifier(declarator.Symbol.Name) + " = (" + _unit.CType(declarator.Symbol.Type, declarator.Syntax.GetLocation()) + ")" + Utf8Literal(text.Value) + ";");
                            continue;
                        }

                        // 'fixed (byte* p = Table)' on a static array: its first element, in global data.
                        if (initializer?.DescendantsAndSelf().OfType<IFieldReferenceOperation>().FirstOrDefault() is { Instance: null, Field.Type: IArrayTypeSymbol } pinned
                            && initializer.DescendantsAndSelf().OfType<IAddressOfOperation>().FirstOrDefault() is null)
                        {
                            var array = _unit.StaticArray(pinned.Field, pinned.Syntax.GetLocation());
                            Line(_unit.CType(declarator.Symbol.Type, declarator.Syntax.GetLocation()) + " " + CNames.Identifier(declarator.Symbol.Name) + " = " + (array?.Name ?? "0") + ";");
                            continue;
                        }

                        // The initializer is a fixed-pointer node (no public type) around the '&Field'.
                        var address = initializer?.DescendantsAndSelf().OfType<IAddressOfOperation>().FirstOrDefault();
                        if (address is null || !(initializer is IAddressOfOperation || initializer!.ChildOperations.FirstOrDefault() == address))
                        {
                            Unsupported(initializer ?? declarator, $"'{declarator.Syntax}' (fixed takes the address of a field, fixed (T* p = &Field), or a UTF-8 literal, fixed (byte* p = \"...\"u8))");
                            continue;
                        }

                        var type = _unit.CType(declarator.Symbol.Type, declarator.Syntax.GetLocation());
                        Line(type + " " + CNames.Identifier(declarator.Symbol.Name) + " = " + Expression(address) + ";");
                    }
                }
                else
                {
                    Statement(child);
                }
            }

            _indent--;
            Line("}");
        }

        // A UTF-8 string as a C literal of its bytes: printable ASCII as is, everything else in octal.
        private static string Utf8Literal(string value)
        {
            var builder = new StringBuilder("\"");
            foreach (var b in Encoding.UTF8.GetBytes(value))
            {
                builder.Append(b == '"' || b == '\\' ? "\\" + (char)b : b < ' ' || b > '~' ? "\\" + Convert.ToString(b, 8).PadLeft(3, '0') : ((char)b).ToString());
            }

            return builder.Append('"').ToString();
        }

        // A loop whose condition is always true and that no break or return leaves runs for ever: the verifier
        // refuses it (it must see every program end), so it is reported here, where it is written.
        private void RequireEnd(ILoopOperation loop, IOperation? condition)
        {
            if (condition != null && !(condition.ConstantValue.HasValue && condition.ConstantValue.Value is true))
            {
                return;
            }

            var leaves = loop.Body.Descendants().Any(o =>
                o is IReturnOperation { Kind: OperationKind.Return }
                || (o is IBranchOperation { BranchKind: BranchKind.Break } branch && SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel)));
            if (!leaves)
            {
                _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, loop.Syntax.GetLocation(), "this loop never ends (its condition is always true and no break or return leaves it): the verifier refuses a program it cannot see finish");
            }
        }

        // switch on an integer with constant cases; C# forbids falling through, so each section ends in break/return.
        private void Switch(ISwitchOperation operation)
        {
            Line("switch (" + Expression(operation.Value) + ")");
            Line("{");
            _indent++;
            foreach (var section in operation.Cases)
            {
                foreach (var clause in section.Clauses)
                {
                    switch (clause)
                    {
                        case ISingleValueCaseClauseOperation single when single.Value.ConstantValue.HasValue:
                            Line("case " + Expression(single.Value) + ":");
                            break;
                        case IDefaultCaseClauseOperation:
                            Line("default:");
                            break;
                        default:
                            _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, clause.Syntax.GetLocation(), $"'{clause.Syntax}' is a pattern case: a BPF switch takes constant cases only");
                            break;
                    }
                }

                Line("{");
                _indent++;
                foreach (var statement in section.Body)
                {
                    Statement(statement);
                }

                _indent--;
                Line("}");
            }

            _indent--;
            Line("}");
        }

        /// <summary>A value without the implicit conversions around it.</summary>
        internal static IOperation Unconverted(IOperation value)
        {
            while (value is IConversionOperation { IsImplicit: true } conversion)
            {
                value = conversion.Operand;
            }

            return value;
        }

        private void Nested(IOperation statement)
        {
            if (statement is IBlockOperation)
            {
                Statement(statement);
                return;
            }

            Line("{");
            _indent++;
            Statement(statement);
            _indent--;
            Line("}");
        }

        private string Expression(IOperation operation)
        {
            if (operation.ConstantValue.HasValue && operation.ConstantValue.Value is null)
            {
                return "((void *)0)";
            }

            if (operation.ConstantValue.HasValue && operation.Type != null && Constant(operation.ConstantValue.Value, operation.Type) is string literal)
            {
                return literal;
            }

            if (StaticArrayUse(operation) is string arrayUse)
            {
                return arrayUse;
            }

            if (SpanMember(operation) is string span)
            {
                return span;
            }

            switch (operation)
            {
                case ILocalReferenceOperation local:
                    return CNames.Identifier(local.Local.Name);
                case IParameterReferenceOperation parameter when _unit.Symbols.MapTypeOf(parameter.Parameter.Type) != null:
                    _unit.Problem(CompilerDiagnosticIds.UnsupportedMapUse, parameter.Syntax.GetLocation(), $"map parameter '{parameter.Parameter.Name}' can only be passed to a helper's map parameter or to a method's map parameter");
                    return "0";
                case IParameterReferenceOperation { Parameter.RefKind: not RefKind.None } parameter:
                    return "(*" + CNames.Identifier(parameter.Parameter.Name) + ")";
                case IParameterReferenceOperation parameter:
                    return CNames.Identifier(parameter.Parameter.Name);
                case IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared }:
                    // 'out var x' / 'out int x': declared just before the statement that holds it (C has no declarations in
                    // expressions), where its C# scope begins.
                    Line(_unit.CType(declared.Local.Type, declared.Syntax.GetLocation()) + " " + CNames.Identifier(declared.Local.Name) + " = {0};");
                    return CNames.Identifier(declared.Local.Name);
                case IConversionOperation conversion:
                    return Conversion(conversion);
                case IBinaryOperation binary:
                    return Binary(binary);
                case IUnaryOperation unary:
                    return Unary(unary);
                case ISimpleAssignmentOperation { Target: IDiscardOperation } discard:
                    return "(" + Expression(discard.Value) + ")"; // '_ = x' is x, evaluated for its effects (a statement casts it to void)
                case ISimpleAssignmentOperation assignment:
                    return Target(assignment.Target) + " = " + Expression(assignment.Value);
                case ISwitchExpressionOperation switchExpression:
                    return SwitchExpression(switchExpression);
                case IIsPatternOperation isPattern:
                    return IsPattern(isPattern);
                case ICompoundAssignmentOperation compound:
                    return Compound(compound);
                case IIncrementOrDecrementOperation step:
                    return Step(step);
                case IConditionalOperation conditional when conditional.WhenFalse != null:
                    return "(" + Expression(conditional.Condition) + " ? " + Expression(conditional.WhenTrue) + " : " + Expression(conditional.WhenFalse) + ")";
                case IAddressOfOperation { Reference: IMethodReferenceOperation { Method: { IsStatic: true, MethodKind: MethodKind.Ordinary } callback } } address
                    when callback.Locations.Any(l => l.IsInSource):
                    // '&Callback' as a helper's function pointer argument (bpf_loop, timers...): a subprogram of its own.
                    return "(&" + _unit.Function(callback, address.Syntax.GetLocation(), FunctionUse.Callback) + ")";
                case IAddressOfOperation address:
                    return "(&" + Target(address.Reference) + ")";
                case { Kind: OperationKind.None } when IsPointerIndirection(operation) is IOperation pointer:
                    return "(*" + Expression(pointer) + ")";
                case { Kind: OperationKind.None } when PointerElement(operation) is string element:
                    return element;
                case IFieldReferenceOperation field when field.Instance != null && TranslationUnit.IsContextField(field.Field):
                    // Read as the C# type says: some context fields are pointer slots (__bpf_md_ptr) the C# side holds as integers.
                    return "((" + _unit.CType(field.Field.Type, field.Syntax.GetLocation()) + ")" + Target(field) + ")";
                case IFieldReferenceOperation field when field.Instance != null:
                    return Target(field);
                case IFieldReferenceOperation field when _unit.Symbols.MapTypeOf(field.Field.Type) != null:
                    _unit.Problem(CompilerDiagnosticIds.UnsupportedMapUse, field.Syntax.GetLocation(), $"map '{field.Field.Name}' can only be passed to a helper's map parameter");
                    return "0";
                case IFieldReferenceOperation { Instance: null } global:
                    return _unit.Global(global.Field, global.Syntax.GetLocation());
                case ISizeOfOperation size:
                    return "sizeof(" + _unit.CType(size.TypeOperand, size.Syntax.GetLocation()) + ")";
                case IDefaultValueOperation defaultValue:
                    return DefaultOf(defaultValue.Type, defaultValue.Syntax);
                case IInvocationOperation invocation:
                    return Invocation(invocation);
                case IPropertyReferenceOperation { Instance: { } instance } carried when InlineC(carried.Property) is string inline:
                    return string.Format(CultureInfo.InvariantCulture, inline, Target(instance)); // a runtime header accessor
                case IPropertyReferenceOperation { Property.Name: "Length", Instance: IUtf8StringOperation text }:
                    return Encoding.UTF8.GetByteCount(text.Value).ToString(CultureInfo.InvariantCulture); // "..."u8.Length: the bytes, without the NUL
                case IObjectCreationOperation creation when creation.Type is INamedTypeSymbol created && IsSpan(created):
                    _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, creation.Syntax.GetLocation(), $"'{creation.Syntax}': a span can be declared ('Span<T> s = new Span<T>(p, n)'), measured, indexed with a constant, cleared, filled or copied (CopyTo), not passed on: use a pointer");
                    return "0";
                case IObjectCreationOperation creation when creation.Type is { TypeKind: TypeKind.Struct } && _unit.Symbols.MapTypeOf(creation.Type) is null:
                    return StructCreation(creation);
                default:
                    return Unsupported(operation, Describe(operation));
            }
        }

        // A runtime property that carries its C ([BpfInline] on the packet headers' accessors): the compiler cannot read
        // the body of a method from another assembly.
        private static string? InlineC(IPropertySymbol property) =>
            property.ContainingAssembly?.Name == "BpfSharp"
                ? property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "BpfSharp.BpfInlineAttribute")?.ConstructorArguments.FirstOrDefault().Value as string
                : null;

        // '*p' and the 'p' of 'p->f': Roslyn 4.8 gives pointer indirection no public operation type, only its one child.
        private static IOperation? IsPointerIndirection(IOperation operation)
        {
            var children = operation.ChildOperations.ToList();
            var syntax = operation.Syntax;
            var isIndirection = syntax is PrefixUnaryExpressionSyntax prefix && prefix.OperatorToken.Text == "*"
                || syntax.Parent is MemberAccessExpressionSyntax access && access.OperatorToken.Text == "->" && access.Expression == syntax;
            return isIndirection && children.Count == 1 && children[0].Type is IPointerTypeSymbol ? children[0] : null;
        }

        // 'p[i]' on a pointer: like indirection, no public operation type in Roslyn 4.8, only its two children.
        private string? PointerElement(IOperation operation)
        {
            var children = operation.ChildOperations.ToList();
            return operation.Syntax is ElementAccessExpressionSyntax && children.Count == 2 && children[0].Type is IPointerTypeSymbol
                ? "(" + Expression(children[0]) + ")[" + Expression(children[1]) + "]"
                : null;
        }

        // A location written to or whose address is taken: no conversion casts around it.
        private string Target(IOperation operation) => operation switch
        {
            IFieldReferenceOperation { Instance: { } instance } field => "(" + Target(instance) + ")." + TranslationUnit.FieldName(field.Field),
            IFieldReferenceOperation { Instance: null } global when _unit.Symbols.MapTypeOf(global.Field.Type) is null => _unit.Global(global.Field, global.Syntax.GetLocation()),
            { Kind: OperationKind.None } when IsPointerIndirection(operation) is IOperation pointer => "(*" + Expression(pointer) + ")",
            { Kind: OperationKind.None } when PointerElement(operation) is string element => element,
            _ => Expression(operation),
        };

        private string Invocation(IInvocationOperation invocation)
        {
            var target = invocation.TargetMethod;
            var at = invocation.Syntax.GetLocation();
            if (target.IsStatic && target.Locations.Any(l => l.IsInSource) && target.MethodKind == MethodKind.Ordinary && _unit.Symbols.HelperOf(target) is null)
            {
                return MethodCall(invocation, at);
            }

            var arguments = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).SelectMany(a => Argument(a, at)).ToList();
            if (_unit.Symbols.HelperOf(target) is (string name, int id))
            {
                return _unit.Helper(name, id, target, at) + "(" + string.Join(", ", arguments) + ")";
            }

            if (target.ContainingType.ToDisplayString() == "System.Threading.Interlocked" && Atomic(target.Name, arguments) is string atomic)
            {
                return atomic;
            }

            if (PacketLoads.Translate(invocation, arguments, out var load) is string loaded)
            {
                _unit.Support(load!);
                return loaded;
            }

            if (DotNetIntrinsics.Translate(invocation, arguments, Expression, (id, why) => _unit.Problem(id, at, $"'{invocation.Syntax}': {why}")) is string intrinsic)
            {
                return intrinsic;
            }

            _unit.Problem(CompilerDiagnosticIds.UnsupportedCall, at, $"'{target.ToDisplayString()}' cannot be called from a BPF program: only BpfHelpers, BpfPacket loads, Interlocked, Volatile, byte swaps, block copies, integer Math.Min/Max/Clamp/Abs and static methods of this project can");
            return "0";
        }

        // A call of a static method of the project. Map arguments are not passed: they pick the copy of the method that
        // names those maps (a map must be known where a helper uses it), so 'Count(Hash, key)' calls Program_Count_Hash(key).
        private string MethodCall(IInvocationOperation invocation, Location at)
        {
            var maps = new Dictionary<IParameterSymbol, IFieldSymbol>(SymbolEqualityComparer.Default);
            var arguments = new List<string>();
            var mapsKnown = true;
            foreach (var argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
            {
                if (argument.Parameter is { } parameter && _unit.Symbols.MapTypeOf(parameter.Type) != null)
                {
                    if (MapOf(argument.Value) is IFieldSymbol map)
                    {
                        maps[parameter] = map;
                    }
                    else
                    {
                        _unit.Problem(CompilerDiagnosticIds.UnsupportedMapUse, argument.Value.Syntax.GetLocation(), $"the map passed to '{parameter.Name}' must be a static map field or a map parameter, so that the compiler knows which map it is");
                        mapsKnown = false;
                    }

                    continue;
                }

                arguments.AddRange(Argument(argument, at));
            }

            // Without its maps the method has no copy to write (and would only repeat the error inside it).
            return mapsKnown ? _unit.Function(invocation.TargetMethod, at, FunctionUse.Call, maps) + "(" + string.Join(", ", arguments) + ")" : "0";
        }

        // The static map field a value names: the field itself, or the map this copy of the method binds a parameter to.
        private IFieldSymbol? MapOf(IOperation value) =>
            Unconverted(value) switch
            {
                IFieldReferenceOperation { Instance: null } field when _unit.Symbols.MapTypeOf(field.Field.Type) != null => field.Field,
                IParameterReferenceOperation parameter when _maps.TryGetValue(parameter.Parameter, out var bound) => bound,
                _ => null,
            };

        // A map argument becomes the map's address; params arrays are spread; 'ref x' of Interlocked is &x.
        private IEnumerable<string> Argument(IArgumentOperation argument, Location at)
        {
            var value = argument.Value;
            while (value is IConversionOperation { IsImplicit: true } conversion && argument.Parameter != null && SymbolEqualityComparer.Default.Equals(argument.Parameter.Type, _unit.Symbols.Map))
            {
                value = conversion.Operand;
            }

            if (argument.Parameter != null && SymbolEqualityComparer.Default.Equals(argument.Parameter.Type, _unit.Symbols.Map))
            {
                if (MapOf(value) is IFieldSymbol map)
                {
                    yield return "&" + _unit.Map(map, value.Syntax.GetLocation());
                }
                else
                {
                    _unit.Problem(CompilerDiagnosticIds.UnsupportedMapUse, value.Syntax.GetLocation(), "a helper's map argument must be a static map field or a map parameter, so that the compiler knows which map it is");
                    yield return "0";
                }

                yield break;
            }

            if (argument.ArgumentKind == ArgumentKind.ParamArray && value is IArrayCreationOperation { Initializer: { } initializer })
            {
                foreach (var element in initializer.ElementValues)
                {
                    yield return Expression(element);
                }

                yield break;
            }

            if (argument.Parameter is { RefKind: not RefKind.None } byReference)
            {
                // An 'in' argument may be a value, which C# passes through a temporary: a C compound literal.
                // 'ref' and 'out' arguments are always variables (C# says so); only 'in' takes values.
                var isVariable = byReference.RefKind is RefKind.Ref or RefKind.Out
                    || Unconverted(value) is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IDeclarationExpressionOperation
                    || Unconverted(value) is IPropertyReferenceOperation { Property.IsIndexer: true }
                    || (Unconverted(value).Kind == OperationKind.None && (IsPointerIndirection(Unconverted(value)) != null || Unconverted(value).Syntax is ElementAccessExpressionSyntax));
                yield return isVariable
                    ? "(&" + Target(Unconverted(value)) + ")"
                    : "(&(" + _unit.CType(byReference.Type, value.Syntax.GetLocation()) + "){" + Expression(value) + "})";
                yield break;
            }

            yield return Expression(value);
        }

        // Interlocked on a location becomes the BPF atomic instruction clang emits for the builtin.
        private static string? Atomic(string name, IReadOnlyList<string> arguments) => name switch
        {
            "Add" when arguments.Count == 2 => $"(__sync_fetch_and_add({arguments[0]}, {arguments[1]}) + {arguments[1]})",
            "Increment" when arguments.Count == 1 => $"(__sync_fetch_and_add({arguments[0]}, 1) + 1)",
            "Decrement" when arguments.Count == 1 => $"(__sync_fetch_and_sub({arguments[0]}, 1) - 1)",
            "Exchange" when arguments.Count == 2 => $"__sync_lock_test_and_set({arguments[0]}, {arguments[1]})",
            "CompareExchange" when arguments.Count == 3 => $"__sync_val_compare_and_swap({arguments[0]}, {arguments[2]}, {arguments[1]})",
            _ => null,
        };

        private string Conversion(IConversionOperation conversion)
        {
            if (conversion.Operand is IDefaultValueOperation)
            {
                return DefaultOf(conversion.Type, conversion.Syntax);
            }

            if (conversion.Type is null || conversion.Operand.Type is null)
            {
                return Expression(conversion.Operand);
            }

            var at = conversion.Syntax.GetLocation();
            if (conversion.IsChecked && IntegerType.Of(conversion.Operand.Type) is IntegerType from && IntegerType.Of(conversion.Type) is IntegerType to && !to.Holds(from))
            {
                Throwing(conversion, "a checked conversion throws OverflowException when the value does not fit");
            }

            var type = _unit.CType(conversion.Type, at);
            _unit.CType(conversion.Operand.Type, at);
            return "((" + type + ")" + Expression(conversion.Operand) + ")";
        }

        // 'new S { A = a, B = { C = c } }' (no allocation: a value, as in C): zeroed, padding too (a map key's padding is
        // part of the key, and the verifier refuses unwritten stack bytes passed to helpers), then each member in order.
        private string StructCreation(IObjectCreationOperation creation)
        {
            var at = creation.Syntax.GetLocation();
            if (creation.Arguments.Length > 0 || creation.Constructor is { IsImplicitlyDeclared: false })
            {
                return Unsupported(creation, $"'{creation.Syntax}' calls a constructor of '{creation.Type!.Name}' (not translated yet): set its fields with an object initializer (new {creation.Type.Name} {{ Field = value }}) instead, and");
            }

            var type = _unit.CType(creation.Type!, at);
            var text = new StringBuilder("({ ").Append(type).Append(" bpfsharp_new; __builtin_memset(&bpfsharp_new, 0, sizeof(bpfsharp_new)); ");
            if (creation.Initializer != null)
            {
                MemberInitializers(creation.Initializer, "bpfsharp_new", text);
            }

            return text.Append("bpfsharp_new; })").ToString();
        }

        private void MemberInitializers(IObjectOrCollectionInitializerOperation initializer, string path, StringBuilder text)
        {
            foreach (var member in initializer.Initializers)
            {
                switch (member)
                {
                    case ISimpleAssignmentOperation { Target: IFieldReferenceOperation field } assignment:
                        text.Append(path).Append('.').Append(TranslationUnit.FieldName(field.Field)).Append(" = ").Append(Expression(assignment.Value)).Append("; ");
                        break;
                    case IMemberInitializerOperation { InitializedMember: IFieldReferenceOperation field } nested:
                        MemberInitializers(nested.Initializer, path + "." + TranslationUnit.FieldName(field.Field), text);
                        break;
                    default:
                        Unsupported(member, $"'{member.Syntax}' (only fields can be set in a BPF struct's initializer)");
                        break;
                }
            }
        }

        // 'default' of a struct is a zeroed compound literal; of anything else, 0.
        private string DefaultOf(ITypeSymbol? type, SyntaxNode syntax) =>
            type is { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None } ? "((" + _unit.CType(type, syntax.GetLocation()) + "){0})" : "0";

        private static string? Constant(object? value, ITypeSymbol type)
        {
            switch (value)
            {
                case bool b:
                    return b ? "1" : "0";
                case int i:
                    return i == int.MinValue ? "(-2147483647 - 1)" : i.ToString(CultureInfo.InvariantCulture);
                case uint u:
                    return u.ToString(CultureInfo.InvariantCulture) + "U";
                case long l:
                    return l == long.MinValue ? "(-9223372036854775807LL - 1)" : l.ToString(CultureInfo.InvariantCulture) + "LL";
                case ulong ul:
                    return ul.ToString(CultureInfo.InvariantCulture) + "ULL";
                case byte or sbyte or short or ushort:
                    return Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                case char c:
                    return ((int)c).ToString(CultureInfo.InvariantCulture);
                default:
                    return null;
            }
        }

        // C# operators on integers keep their C# meaning (IntegerSemantics): wrap-around, masked shift counts,
        // truncating signed division; what C# would throw on is refused (BPF2008).
        private string Binary(IBinaryOperation binary)
        {
            if (binary.OperatorMethod != null)
            {
                return Unsupported(binary, $"the user-defined operator '{binary.OperatorMethod.ToDisplayString()}'");
            }

            var type = IntegerType.Of(binary.Type);
            if (type != null && binary.IsChecked && IntegerSemantics.CanOverflow(binary.OperatorKind))
            {
                Throwing(binary, "checked arithmetic throws OverflowException on overflow");
            }

            return type is IntegerType integer && binary.LeftOperand.Type is not IPointerTypeSymbol && binary.RightOperand.Type is not IPointerTypeSymbol
                ? Arithmetic(binary, binary.OperatorKind, integer, binary.RightOperand, Expression(binary.LeftOperand), Expression(binary.RightOperand))
                : "(" + Expression(binary.LeftOperand) + " " + BinaryOperator(binary) + " " + Expression(binary.RightOperand) + ")";
        }

        // One integer operation at the operator's (promoted) type, operands already of that type (the right one of a shift: int).
        private string Arithmetic(IOperation operation, BinaryOperatorKind kind, IntegerType type, IOperation right, string leftText, string rightText)
        {
            switch (kind)
            {
                case BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply when IntegerSemantics.WrapsDifferently(kind, type):
                    return IntegerSemantics.Wrapping(type, BinaryOperator(kind, operation.Syntax), leftText, rightText);
                case BinaryOperatorKind.LeftShift:
                case BinaryOperatorKind.RightShift:
                case BinaryOperatorKind.UnsignedRightShift:
                    return IntegerSemantics.Shift(type, kind, leftText, IntegerSemantics.ShiftCount(type, right, rightText));
                case BinaryOperatorKind.Divide:
                case BinaryOperatorKind.Remainder:
                    if (!DivisorGuard.IsNonZero(operation, right))
                    {
                        Throwing(operation, $"'{right.Syntax}' may be zero here, and C# throws DivideByZeroException on it; test it against zero first (if ({right.Syntax} == 0) return ...; or {right.Syntax} != 0 ? ... : ...), copying it into a local if it is not one");
                    }

                    var text = IntegerSemantics.Divide(type, kind == BinaryOperatorKind.Remainder, leftText, rightText, out var support);
                    if (support != null)
                    {
                        _unit.Support(support);
                    }

                    return text;
                default:
                    return "(" + leftText + " " + BinaryOperator(kind, operation.Syntax) + " " + rightText + ")";
            }
        }

        private string Unary(IUnaryOperation unary)
        {
            if (unary.OperatorMethod != null)
            {
                return Unsupported(unary, $"the user-defined operator '{unary.OperatorMethod.ToDisplayString()}'");
            }

            if (unary.OperatorKind == UnaryOperatorKind.Minus && IntegerType.Of(unary.Type) is IntegerType { Signed: true, Bits: >= 32 } type)
            {
                if (unary.IsChecked)
                {
                    Throwing(unary, "checked negation throws OverflowException on MinValue");
                }

                return IntegerSemantics.Wrapping(type, "-", "0", Expression(unary.Operand));
            }

            return "(" + UnaryOperator(unary) + Expression(unary.Operand) + ")";
        }

        // 't op= v' is t = (T)(t op v) at the operator's type. C's own 'op=' means that already for bitwise operators
        // and for unsigned add/subtract/multiply (int and wider); the rest is spelled out.
        private string Compound(ICompoundAssignmentOperation compound)
        {
            if (compound.OperatorMethod != null)
            {
                return Unsupported(compound, $"the user-defined operator '{compound.OperatorMethod.ToDisplayString()}'");
            }

            var kind = compound.OperatorKind;
            var target = IntegerType.Of(compound.Target.Type);
            var value = IntegerType.Of(compound.Value.Type);
            string AsInC() => Target(compound.Target) + " " + BinaryOperator(kind, compound.Syntax) + "= " + Expression(compound.Value);
            if (target is not IntegerType targetType || value is not IntegerType valueType || compound.Target.Type is IPointerTypeSymbol)
            {
                return AsInC();
            }

            var shift = kind is BinaryOperatorKind.LeftShift or BinaryOperatorKind.RightShift or BinaryOperatorKind.UnsignedRightShift;

            var type = shift ? IntegerType.PromoteUnary(targetType) : IntegerType.Promote(targetType, valueType);
            if (compound.IsChecked && IntegerSemantics.CanOverflow(kind))
            {
                Throwing(compound, "checked arithmetic throws OverflowException on overflow");
            }

            var bitwise = kind is BinaryOperatorKind.And or BinaryOperatorKind.Or or BinaryOperatorKind.ExclusiveOr;
            var unsignedWrap = IntegerSemantics.CanOverflow(kind) && !type.Signed && type.Bits >= 32;
            if (bitwise || unsignedWrap)
            {
                return AsInC();
            }

            var valueText = shift ? Expression(compound.Value) : "((" + type.C + ")" + Expression(compound.Value) + ")";
            return Update(compound.Target, targetType, current => Arithmetic(compound, kind, type, compound.Value, "((" + type.C + ")" + current + ")", valueText), postfix: false);
        }

        // ++ and -- of int and long wrap in the unsigned type; narrower ones are promoted to int by C and cannot overflow it.
        private string Step(IIncrementOrDecrementOperation step)
        {
            if (step.OperatorMethod != null)
            {
                return Unsupported(step, $"the user-defined operator '{step.OperatorMethod.ToDisplayString()}'");
            }

            var type = IntegerType.Of(step.Target.Type);
            var op = step.Kind == OperationKind.Increment ? "+" : "-";
            if (type != null && step.IsChecked)
            {
                Throwing(step, "a checked " + (op == "+" ? "increment" : "decrement") + " throws OverflowException on overflow");
            }

            if (type is IntegerType { Signed: true, Bits: >= 32 } wrapping && step.Target.Type is not IPointerTypeSymbol)
            {
                var valueUsed = step.IsPostfix && step.Parent is not IExpressionStatementOperation;
                return Update(step.Target, wrapping, current => IntegerSemantics.Wrapping(wrapping, op, current, "1"), valueUsed, undo: value => IntegerSemantics.Wrapping(wrapping, op == "+" ? "-" : "+", value, "1"));
            }

            var sign = op + op;
            return step.IsPostfix ? "(" + Target(step.Target) + sign + ")" : "(" + sign + Target(step.Target) + ")";
        }

        // 'target = (T)f(target)', evaluating the target's address once: directly when reading it has no side effects,
        // else through a pointer in a statement expression. A postfix step gives the old value (undo of the new one).
        private string Update(IOperation target, IntegerType type, System.Func<string, string> next, bool postfix, System.Func<string, string>? undo = null)
        {
            if (IsPure(target))
            {
                var place = Target(target);
                var assigned = "(" + place + " = (" + type.C + ")" + next(place) + ")";
                return postfix && undo != null ? "(" + assigned + ", (" + type.C + ")" + undo(place) + ")" : assigned;
            }

            var at = "(*bpfsharp_at)";
            var c = _unit.CType(target.Type!, target.Syntax.GetLocation());
            return postfix
                ? "({ " + c + " *bpfsharp_at = &" + Target(target) + "; " + c + " bpfsharp_old = " + at + "; " + at + " = (" + type.C + ")" + next("bpfsharp_old") + "; bpfsharp_old; })"
                : "({ " + c + " *bpfsharp_at = &" + Target(target) + "; " + at + " = (" + type.C + ")" + next(at) + "; })";
        }

        // Reading the expression twice does what reading it once does: no calls, assignments or steps in it.
        private static bool IsPure(IOperation operation) =>
            !operation.DescendantsAndSelf().Any(o => o is IInvocationOperation or IAssignmentOperation or IIncrementOrDecrementOperation);

        private void Throwing(IOperation operation, string why) =>
            _unit.Problem(CompilerDiagnosticIds.ThrowingOperation, operation.Syntax.GetLocation(), $"'{operation.Syntax}': {why}, and a BPF program cannot throw");

        private string BinaryOperator(IBinaryOperation binary) =>
            binary.OperatorKind switch
            {
                BinaryOperatorKind.ConditionalAnd => "&&",
                BinaryOperatorKind.ConditionalOr => "||",
                _ => BinaryOperator(binary.OperatorKind, binary.Syntax),
            };

        private string BinaryOperator(BinaryOperatorKind kind, SyntaxNode syntax)
        {
            switch (kind)
            {
                case BinaryOperatorKind.Add: return "+";
                case BinaryOperatorKind.Subtract: return "-";
                case BinaryOperatorKind.Multiply: return "*";
                case BinaryOperatorKind.Divide: return "/";
                case BinaryOperatorKind.Remainder: return "%";
                case BinaryOperatorKind.LeftShift: return "<<";
                case BinaryOperatorKind.RightShift: return ">>";
                case BinaryOperatorKind.UnsignedRightShift: return ">>";
                case BinaryOperatorKind.And: return "&";
                case BinaryOperatorKind.Or: return "|";
                case BinaryOperatorKind.ExclusiveOr: return "^";
                case BinaryOperatorKind.Equals: return "==";
                case BinaryOperatorKind.NotEquals: return "!=";
                case BinaryOperatorKind.LessThan: return "<";
                case BinaryOperatorKind.LessThanOrEqual: return "<=";
                case BinaryOperatorKind.GreaterThan: return ">";
                case BinaryOperatorKind.GreaterThanOrEqual: return ">=";
                default:
                    _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, syntax.GetLocation(), $"the operator '{kind}' has no BPF translation");
                    return "+";
            }
        }

        private string UnaryOperator(IUnaryOperation unary)
        {
            switch (unary.OperatorKind)
            {
                case UnaryOperatorKind.Minus: return "-";
                case UnaryOperatorKind.Plus: return "+";
                case UnaryOperatorKind.BitwiseNegation: return "~";
                case UnaryOperatorKind.Not: return "!";
                default:
                    _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, unary.Syntax.GetLocation(), $"the operator '{unary.OperatorKind}' has no BPF translation");
                    return string.Empty;
            }
        }

        private string Unsupported(IOperation operation, string what)
        {
            // Code the C# compiler refuses (an unknown name, a wrong call) is its error to report, not a BPF one.
            if (operation is IInvalidOperation || operation.Type?.TypeKind == TypeKind.Error)
            {
                return "0";
            }

            _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, operation.Syntax.GetLocation(), what + " cannot run in a BPF program");
            return "0";
        }

        private static string Describe(IOperation operation) => operation.Kind switch
        {
            OperationKind.ObjectCreation => "'new' of a class (allocation)",
            OperationKind.ArrayCreation => "a managed array",
            OperationKind.Throw => "'throw' (exceptions)",
            OperationKind.Try => "'try' (exceptions)",
            OperationKind.AnonymousFunction => "a lambda",
            OperationKind.DelegateCreation => "a delegate",
            OperationKind.InterpolatedString => "a string",
            OperationKind.Lock => "'lock'",
            OperationKind.Using => "'using'",
            OperationKind.Loop => "this kind of loop ('foreach' needs an enumerator)",
            _ => "'" + operation.Syntax.ToString().Split('\n')[0].Trim() + "'",
        };

        /// <summary>A #line for the method's own line: what clang says of the function as a whole (its stack, say) points at the C# method.</summary>
        public string DeclarationLine() => Directive(_syntax.Identifier.GetLocation());

        private void LineDirective(SyntaxNode syntax) => _body.Append(Directive(syntax.GetLocation()));

        private string Directive(Location location)
        {
            var span = location.GetLineSpan();
            return span.IsValid && !string.IsNullOrEmpty(span.Path)
                ? "#line " + (span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture) + " " + TranslationUnit.Literal(_unit.SourcePath(span.Path)) + "\n"
                : string.Empty;
        }

        private void Line(string text) => _body.Append(' ', _indent * 4).Append(text).Append('\n');
    }
}
