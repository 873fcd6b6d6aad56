using System.Net;

namespace ProofStorage.Client;

/// <summary>
/// The service answered with an error: <see cref="Problem"/> is its RFC 9457 ProblemDetails. Branch on
/// <see cref="ProofStorageProblem.Type"/> (a stable URN such as <c>urn:proofstorage:problem:rate-limited</c>), never on
/// the title or the detail. Thrown after the resilience handler has spent its retries on a retryable answer.
/// </summary>
public sealed class ProofStorageException : Exception
{
    public ProofStorageException()
        : this("The ProofStorage service answered with an error.")
    {
    }

    public ProofStorageException(string message)
        : base(message)
    {
        Problem = new ProofStorageProblem { Type = "about:blank", Title = message, Status = 0 };
    }

    public ProofStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = new ProofStorageProblem { Type = "about:blank", Title = message, Status = 0 };
    }

    internal ProofStorageException(HttpStatusCode statusCode, ProofStorageProblem problem, TimeSpan? retryAfter)
        : base(problem.Detail is { Length: > 0 } detail ? $"{problem.Title}: {detail}" : problem.Title)
    {
        StatusCode = statusCode;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem the service described (type, title, status, detail, trace id, field errors).</summary>
    public ProofStorageProblem Problem { get; }

    /// <summary>How long the service asked to wait (<c>Retry-After</c> on 429 and 503), if it said.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>An RFC 9457 problem as the service writes it.</summary>
public sealed class ProofStorageProblem
{
    /// <summary>The prefix of every type URN the service defines; the rest is a slug such as <c>not-found</c>.</summary>
    public const string TypePrefix = "urn:proofstorage:problem:";

    /// <summary>The kind of failure: <c>urn:proofstorage:problem:&lt;slug&gt;</c> (<c>about:blank</c> when the answer had no problem body).</summary>
    public required string Type { get; init; }

    public required string Title { get; init; }

    public required int Status { get; init; }

    /// <summary>What happened this time.</summary>
    public string? Detail { get; init; }

    public string? Instance { get; init; }

    /// <summary>The W3C trace id that finds the request in the service's logs.</summary>
    public string? TraceId { get; init; }

    /// <summary>Per-field messages of a validation problem.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>The slug of <see cref="Type"/> (<c>rate-limited</c>, <c>not-found</c>, …), or null for a type outside the catalogue.</summary>
    public string? Slug => Type.StartsWith(TypePrefix, StringComparison.Ordinal) ? Type[TypePrefix.Length..] : null;
}
