using System.Linq.Expressions;

namespace NativeHnsw.VectorData;

/// <summary>Whether an expression reads a lambda parameter (the record), or is a value that can be evaluated up front.</summary>
internal sealed class ParameterFinder : ExpressionVisitor
{
    private bool _found;

    public static bool Reads(Expression node)
    {
        var finder = new ParameterFinder();
        finder.Visit(node);
        return finder._found;
    }

    protected override Expression VisitParameter(ParameterExpression node)
    {
        _found = true;
        return node;
    }
}
