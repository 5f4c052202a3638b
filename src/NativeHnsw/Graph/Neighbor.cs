namespace NativeHnsw.Graph;

/// <summary>A node with its distance to whatever the current search or selection is measuring from.</summary>
internal readonly record struct Neighbor(float Distance, int Node)
{
    public static readonly Comparison<Neighbor> ByDistance = static (a, b) => a.Distance.CompareTo(b.Distance);
}
