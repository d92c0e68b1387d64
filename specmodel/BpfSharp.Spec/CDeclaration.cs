using System.Text;

namespace BpfSharp.Spec
{
    /// <summary>Writes a helper's C declaration in libbpf's <c>bpf_helper_defs.h</c> layout.</summary>
    public static class CDeclaration
    {
        public static string Format(HelperSpec helper)
        {
            var text = new StringBuilder("static ");
            text.Append(Join(helper.ReturnType, "(* const " + helper.Name + ")"));
            text.Append('(');
            if (helper.Parameters.IsEmpty && !helper.IsVariadic)
            {
                text.Append("void");
            }

            for (var i = 0; i < helper.Parameters.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(", ");
                }

                text.Append(Join(helper.Parameters[i].CType, helper.Parameters[i].Name));
            }

            if (helper.IsVariadic)
            {
                text.Append(helper.Parameters.IsEmpty ? "..." : ", ...");
            }

            text.Append(") = (void *) ").Append(helper.Id).Append(';');
            return text.ToString();
        }

        /// <summary>Joins a C type and what follows it: <c>void *</c> + <c>map</c> gives <c>void *map</c>.</summary>
        public static string Join(string cType, string declarator) =>
            cType.EndsWith("*", System.StringComparison.Ordinal) ? cType + declarator : cType + " " + declarator;
    }
}
