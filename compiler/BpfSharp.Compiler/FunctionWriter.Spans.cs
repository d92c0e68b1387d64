using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BpfSharp.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace BpfSharp.Compiler
{
    /// <summary>
    /// stackalloc and spans: a stack array and its pointer; spans of a constant length over the stack, the packet or a
    /// map value, measured, indexed with constants, cleared, filled and copied as memset and memmove.
    /// </summary>
    internal sealed partial class FunctionWriter
    {
        // 'T* p = stackalloc T[n]' (n constant): a zeroed array on the BPF stack, and the pointer to it.
        // MAX_BPF_STACK: what one program (with everything inlined into it) may use.
        private const int BpfStackBytes = 512;

        private bool StackAllocation(IVariableDeclaratorOperation declarator, IOperation initializer)
        {
            var value = Unconverted(initializer);

            if (!(value.Syntax is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax))
            {
                return false;
            }

            var at = value.Syntax.GetLocation();
            var name = CNames.Identifier(declarator.Symbol.Name);
            var size = value.ChildOperations.FirstOrDefault(c => c.ConstantValue.HasValue && c.Type?.SpecialType == SpecialType.System_Int32)?.ConstantValue.Value as int?;
            var elementType = declarator.Symbol.Type switch
            {
                IPointerTypeSymbol pointer => pointer.PointedAtType,
                INamedTypeSymbol span when IsSpan(span) => span.TypeArguments[0],
                _ => null,
            };
            if (elementType is null || size is null)
            {
                _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, at, "stackalloc is translated as 'T* p = stackalloc T[constant]' or 'Span<T> s = stackalloc T[constant]': the BPF stack is fixed (512 bytes)");
                return true;
            }

            var bytes = (long)size.Value * StructLayout.SizeOf(elementType);
            if (size.Value <= 0 || bytes > BpfStackBytes)
            {
                _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, at, $"stackalloc of {size.Value} elements ({bytes} bytes): a BPF program's whole stack is {BpfStackBytes} bytes; use a per-CPU array map for larger buffers");
                return true;
            }

            var element = _unit.CType(elementType, at);
            Line(element + " " + name + "_stack[" + size.Value.ToString(CultureInfo.InvariantCulture) + "] = {0};");
            Line(element + " *" + name + " = " + name + "_stack;");
            if (declarator.Symbol.Type is INamedTypeSymbol)
            {
                _spanLengths[declarator.Symbol] = size.Value; // a span is its pointer, with a length the compiler knows
            }

            return true;
        }

        private static bool IsSpan(ITypeSymbol type) => type.OriginalDefinition.ToDisplayString() == "System.Span<T>";

        // 'Span<T> s = new Span<T>(p, n)' (n constant): a span over memory the program points at (packet, map value).
        private bool PointerSpan(IVariableDeclaratorOperation declarator, IOperation initializer)
        {
            if (!(declarator.Symbol.Type is INamedTypeSymbol type && IsSpan(type) && Unconverted(initializer) is IObjectCreationOperation creation && IsSpan(creation.Type!)))
            {
                return false;
            }

            if (View(creation) is not { } view)
            {
                _refusedSpans.Add(declarator.Symbol); // View said why; its uses say nothing more
                return true;
            }

            Line(_unit.CType(view.Element, declarator.Syntax.GetLocation()) + " *" + CNames.Identifier(declarator.Symbol.Name) + " = " + view.Pointer + ";");
            _spanLengths[declarator.Symbol] = view.Length;
            return true;
        }

        // A span the compiler can follow: a local over stackalloc or a pointer, or 'new Span<T>(p, n)' written in place.
        private (string Pointer, int Length, ITypeSymbol Element)? View(IOperation operation)
        {
            switch (Unconverted(operation))
            {
                case ILocalReferenceOperation local when _spanLengths.TryGetValue(local.Local, out var length):
                    return (CNames.Identifier(local.Local.Name), length, ((INamedTypeSymbol)local.Local.Type).TypeArguments[0]);
                case IObjectCreationOperation creation when creation.Type is INamedTypeSymbol span && IsSpan(span):
                    var element = span.TypeArguments[0];
                    if (creation.Arguments.Length != 2 || creation.Arguments[0].Value.Type is not IPointerTypeSymbol)
                    {
                        _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, creation.Syntax.GetLocation(), $"'{creation.Syntax}': a span in a BPF program is 'new Span<T>(pointer, constant length)' or 'stackalloc T[constant]'");
                        return null;
                    }

                    if (creation.Arguments[1].Value.ConstantValue is not { HasValue: true, Value: int count } || count < 0)
                    {
                        _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, creation.Arguments[1].Syntax.GetLocation(), $"'{creation.Syntax}': the length of a span must be a constant (clang writes its copies and fills out at a known size); use a pointer for a length known only at run time");
                        return null;
                    }

                    var pointer = creation.Arguments[0].Value is IConversionOperation { IsImplicit: true, Operand: { Type: IPointerTypeSymbol } written } ? written : creation.Arguments[0].Value;
                    return ("((" + _unit.CType(element, creation.Syntax.GetLocation()) + " *)(" + Expression(pointer) + "))", count, element);
                default:
                    return null;
            }
        }

        // What a span can do in a BPF program: its length, a constant index within it, Clear, Fill, and CopyTo into
        // another span that is long enough; each compiles to a plain access, memset or memmove.
        private string? SpanMember(IOperation operation)
        {
            if (_refusedSpans.Count > 0 && ((operation as IPropertyReferenceOperation)?.Instance ?? (operation as IInvocationOperation)?.Instance) is ILocalReferenceOperation refused
                && _refusedSpans.Contains(refused.Local))
            {
                return "0";
            }

            switch (operation)
            {
                case IPropertyReferenceOperation { Property.Name: "Length" } measured when measured.Instance != null && IsSpanOperand(measured.Instance) && View(measured.Instance) is { } view:
                    return view.Length.ToString(CultureInfo.InvariantCulture);
                case IPropertyReferenceOperation { Property.IsIndexer: true } element when element.Instance != null && IsSpanOperand(element.Instance) && View(element.Instance) is { } view:
                    var index = element.Arguments[0].Value;
                    if (!(index.ConstantValue is { HasValue: true, Value: int constant }) || constant < 0 || constant >= view.Length)
                    {
                        _unit.Problem(CompilerDiagnosticIds.ThrowingOperation, index.Syntax.GetLocation(), $"'{element.Syntax}' throws in C# when the index is outside 0..{view.Length - 1}, which a BPF program cannot: index a span with a constant in range, or take a pointer and check the index");
                        return "0";
                    }

                    return "(" + view.Pointer + ")[" + constant.ToString(CultureInfo.InvariantCulture) + "]";
                case IInvocationOperation call when call.Instance != null && IsSpanOperand(call.Instance) && View(call.Instance) is { } view:
                    var bytes = "(" + view.Length.ToString(CultureInfo.InvariantCulture) + " * sizeof(" + _unit.CType(view.Element, call.Syntax.GetLocation()) + "))";
                    switch (call.TargetMethod.Name)
                    {
                        case "Clear" when call.Arguments.IsEmpty:
                            return "__builtin_memset(" + view.Pointer + ", 0, " + bytes + ")";
                        case "Fill" when call.Arguments.Length == 1 && StructLayout.SizeOf(view.Element) == 1:
                            return "__builtin_memset(" + view.Pointer + ", " + Expression(call.Arguments[0].Value) + ", " + bytes + ")";
                        case "Fill" when call.Arguments.Length == 1:
                            var type = _unit.CType(view.Element, call.Syntax.GetLocation());
                            return "({ " + type + " bpfsharp_fill = " + Expression(call.Arguments[0].Value) + "; " + type + " *bpfsharp_to = " + view.Pointer + "; for (int bpfsharp_i = 0; bpfsharp_i < " + view.Length.ToString(CultureInfo.InvariantCulture) + "; bpfsharp_i++) bpfsharp_to[bpfsharp_i] = bpfsharp_fill; })";
                        case "CopyTo" when call.Arguments.Length == 1 && IsSpanOperand(call.Arguments[0].Value) && View(call.Arguments[0].Value) is { } target:
                            if (target.Length < view.Length)
                            {
                                _unit.Problem(CompilerDiagnosticIds.ThrowingOperation, call.Syntax.GetLocation(), $"'{call.Syntax}' throws in C#: {view.Length} elements do not fit in {target.Length}");
                                return "0";
                            }

                            // Span.CopyTo copies overlapping spans as if through a temporary: memmove (memcpy where clang sees they cannot overlap).
                            return "__builtin_memmove(" + target.Pointer + ", " + view.Pointer + ", " + bytes + ")";
                    }

                    _unit.Problem(CompilerDiagnosticIds.UnsupportedCall, call.Syntax.GetLocation(), $"'{call.Syntax}': a span in a BPF program has Length, a constant index, Clear(), Fill(value) and CopyTo(another span)");
                    return "0";
                case ILocalReferenceOperation local when _spanLengths.ContainsKey(local.Local):
                    _unit.Problem(CompilerDiagnosticIds.UnsupportedConstruct, local.Syntax.GetLocation(), $"span '{local.Local.Name}' can only be indexed, measured, cleared, filled or copied here: to pass the memory on, use a pointer");
                    return "0";
                default:
                    return null;
            }
        }

        private static bool IsSpanOperand(IOperation operation) => Unconverted(operation).Type is INamedTypeSymbol type && IsSpan(type);
    }
}
