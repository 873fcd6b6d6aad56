using System.Diagnostics;

namespace ProofStorage.Core.Diagnostics;

/// <summary>
/// The store's spans, on the <see cref="SourceName"/> activity source: <c>proofstorage.store</c>,
/// <c>proofstorage.get</c>, <c>proofstorage.delete</c> around the <see cref="StorageManager"/> operations, and
/// <c>provider {operation}</c> around each storage provider call (an S3 request's HTTP span nests under it).
/// Nothing is created unless a listener (e.g. the OpenTelemetry SDK with <c>AddSource(SourceName)</c>) samples it.
/// </summary>
public static class ProofStorageActivities
{
    /// <summary>The activity source's name, to subscribe to.</summary>
    public const string SourceName = "ProofStorage";

    internal static readonly ActivitySource Source = new(SourceName);

    private static readonly string[] ProviderSpanNames = ["provider get", "provider put", "provider delete", "provider list"];

    internal static Activity? StartProviderCall(string provider, ProviderOperation operation)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(ProviderSpanNames[(int)operation], ActivityKind.Internal);
        activity?.SetTag(ProofStorageMetrics.ProviderTag, provider);
        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> failed; returns <see langword="false"/> so it can sit in an exception filter.</summary>
    internal static bool Failed(Activity? activity, Exception exception)
    {
        if (activity is not null && exception is not OperationCanceledException)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            activity.SetTag("error.type", exception.GetType().FullName);
        }

        return false;
    }
}
