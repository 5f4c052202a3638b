using System.Collections;
using System.Linq.Expressions;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;
using NativeHnsw.Storage;

namespace NativeHnsw.VectorData;

/// <summary>
/// Translates a LINQ filter over a record into our <see cref="Where"/>: <c>==</c>, <c>!=</c>, <c>&lt;</c>,
/// <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> between a data property and a value, <c>&amp;&amp;</c>, <c>||</c>,
/// <c>!</c>, a bool property on its own, and <c>values.Contains(r.Property)</c> (an <c>$in</c>). Anything else gets
/// a <see cref="NotSupportedException"/> that names the expression.
/// </summary>
internal sealed class FilterTranslator : FilterTranslatorBase
{
    public TranslatedFilter Translate(LambdaExpression filter, CollectionModel model)
    {
        var body = PreprocessFilter(filter, model, new FilterPreprocessingOptions { SupportsParameterization = false });
        if (body is ConstantExpression { Value: bool constant })
            return constant ? TranslatedFilter.All : TranslatedFilter.None;
        return new TranslatedFilter(Visit(body, negated: false), false);
    }

    private Where Visit(Expression node, bool negated)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } logical:
            {
                // De Morgan: a negated AND is an OR of negations, and the other way round.
                bool and = logical.NodeType == ExpressionType.AndAlso ^ negated;
                var left = Visit(logical.Left, negated);
                var right = Visit(logical.Right, negated);
                return and ? Where.And(left, right) : Where.Or(left, right);
            }
            case UnaryExpression { NodeType: ExpressionType.Not } not when not.Type == typeof(bool):
                return Visit(not.Operand, !negated);
            case BinaryExpression binary when IsComparison(binary.NodeType):
                return Comparison(binary, negated);
            case MethodCallExpression call when TryMatchContains(call, out var source, out var item):
                return Contains(call, source, item, negated);
            case MemberExpression or MethodCallExpression when node.Type == typeof(bool) && TryBindProperty(node, out var property):
                return Compare(Bind(property, node), negated ? WhereOperator.Ne : WhereOperator.Eq, true, node);
            default:
                throw Unsupported(node, "this kind of expression cannot be translated to a NativeHnsw where filter");
        }
    }

    private static bool IsComparison(ExpressionType type) => type is ExpressionType.Equal or ExpressionType.NotEqual
        or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual;

    private Where Comparison(BinaryExpression binary, bool negated)
    {
        var op = binary.NodeType;
        Expression member = binary.Left, value = binary.Right;
        bool leftBinds = TryBindProperty(Unwrap(binary.Left), out var leftProperty);
        bool rightBinds = TryBindProperty(Unwrap(binary.Right), out var rightProperty);
        if (leftBinds && rightBinds)
            throw Unsupported(binary, "it compares two properties; one side must be a value");
        PropertyModel property;
        if (leftBinds)
        {
            property = leftProperty!;
        }
        else if (rightBinds)
        {
            (member, value) = (value, member);
            op = Flip(op);
            property = rightProperty!;
        }
        else
        {
            throw Unsupported(binary, $"neither side is a data property of the record ('{binary.Left}' is {binary.Left.NodeType}, '{binary.Right}' is {binary.Right.NodeType})");
        }
        object? constant = Value(Unwrap(value), binary);
        if (constant is null)
            throw Unsupported(binary, "comparisons with null are not supported (the store keeps no entry for a null value)");
        string key = Bind(property, binary);
        var whereOp = op switch
        {
            ExpressionType.Equal => negated ? WhereOperator.Ne : WhereOperator.Eq,
            ExpressionType.NotEqual => negated ? WhereOperator.Eq : WhereOperator.Ne,
            ExpressionType.GreaterThan => negated ? WhereOperator.Lte : WhereOperator.Gt,
            ExpressionType.GreaterThanOrEqual => negated ? WhereOperator.Lt : WhereOperator.Gte,
            ExpressionType.LessThan => negated ? WhereOperator.Gte : WhereOperator.Lt,
            _ => negated ? WhereOperator.Gt : WhereOperator.Lte,
        };
        // !(x > 5) is x <= 5 only when x always has a value: a null x satisfies the negation but not "<=".
        bool isRange = op is not (ExpressionType.Equal or ExpressionType.NotEqual);
        if (negated && isRange && property.IsNullable)
            throw Unsupported(binary, $"negating a range comparison on nullable property '{property.ModelName}' is not supported");
        return Compare(key, whereOp, constant, binary);
    }

    private Where Contains(MethodCallExpression call, Expression source, Expression item, bool negated)
    {
        if (!TryBindProperty(Unwrap(item), out var property))
            throw Unsupported(call, "Contains is translated only as values.Contains(record.Property), an $in over a list of values");
        if (Value(Unwrap(source), call) is not IEnumerable values || values is string)
            throw Unsupported(call, "the list of values must be a constant or captured collection");
        var list = new List<object>();
        foreach (object? v in values)
            list.Add(Normalize(v ?? throw Unsupported(call, "the list holds null, which the store cannot match"), call));
        string key = Bind(property, call);
        if (list.Count == 0)
            // x in [] is false and its negation true; Where has no empty $in, so say it with two contradicting tests.
            return negated ? Where.Or(Where.Ne(key, true), Where.Eq(key, true)) : Where.And(Where.Eq(key, true), Where.Ne(key, true));
        return negated ? Where.Nin(key, [.. list]) : Where.In(key, [.. list]);
    }

    private static Where Compare(string key, WhereOperator op, object value, Expression node)
    {
        object v = Normalize(value, node);
        if (op is WhereOperator.Gt or WhereOperator.Gte or WhereOperator.Lt or WhereOperator.Lte && v is not (long or double))
            throw Unsupported(node, $"ordering comparisons need a number; {v.GetType().Name} values can only be tested for equality");
        return op switch
        {
            WhereOperator.Eq => Where.Eq(key, v),
            WhereOperator.Ne => Where.Ne(key, v),
            WhereOperator.Gt => Where.Gt(key, v),
            WhereOperator.Gte => Where.Gte(key, v),
            WhereOperator.Lt => Where.Lt(key, v),
            _ => Where.Lte(key, v),
        };
    }

    private string Bind(PropertyModel property, Expression node) => property switch
    {
        KeyPropertyModel => throw Unsupported(node, $"filtering on the key property '{property.ModelName}' is not supported; get records by key with GetAsync(key)"),
        VectorPropertyModel => throw Unsupported(node, $"filtering on the vector property '{property.ModelName}' is not supported"),
        _ => property.StorageName,
    };

    private static object Normalize(object value, Expression node) => value switch
    {
        string or bool => value,
        int or long or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        float f => FloatValues.ToStored(f),
        double d => d,
        _ => throw Unsupported(node, $"values of type {value.GetType().Name} are not supported in filters (use string, bool, an integer or a floating-point number)"),
    };

    // Inline literals (new[] { … }, collection initialisers, Array.Empty) survive preprocessing as expressions; any
    // part of the filter that does not read the record is a value, evaluated once here.
    private static object? Value(Expression node, Expression whole) => node switch
    {
        ConstantExpression c => c.Value,
        QueryParameterExpression p => p.Value,
        _ when !ParameterFinder.Reads(node) => Expression.Lambda(Expression.Convert(node, typeof(object))).Compile(preferInterpretation: true).DynamicInvoke(),
        _ => throw Unsupported(whole, $"'{node}' ({node.NodeType}) reads the record, so it is not a value known before the query runs"),
    };

    // A comparison of an int property with a long constant, or of a nullable with a plain value, arrives wrapped in
    // Convert; an array searched with Contains, wrapped in an implicit conversion to a span.
    private static Expression Unwrap(Expression node) => node switch
    {
        UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert => Unwrap(convert.Operand),
        MethodCallExpression { Method.Name: "op_Implicit", Arguments.Count: 1 } implicitCall => Unwrap(implicitCall.Arguments[0]),
        _ => node,
    };

    private static ExpressionType Flip(ExpressionType op) => op switch
    {
        ExpressionType.GreaterThan => ExpressionType.LessThan,
        ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
        ExpressionType.LessThan => ExpressionType.GreaterThan,
        ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
        _ => op,
    };

    private static NotSupportedException Unsupported(Expression node, string why) =>
        new($"filter expression '{node}' ({node.NodeType}): {why}.");
}
