using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ProofStorage.Core;
using ProofStorage.Core.C2pa;

namespace ProofStorage.Api.Http;

/// <summary>
/// One kind of failure as the API reports it: a stable type URN (<c>urn:proofstorage:problem:{slug}</c>), its HTTP
/// status and title, and the <c>Retry-After</c> it carries, if any. The detail is per occurrence.
/// </summary>
internal sealed record ProblemKind(string Slug, int Status, string Title, int? RetryAfterSeconds = null)
{
    public const string TypePrefix = "urn:proofstorage:problem:";

    /// <summary>The RFC 7807 <c>type</c>: stable, so clients can branch on it rather than on the title.</summary>
    public string Type { get; } = TypePrefix + Slug;
}

/// <summary>
/// The one place failures become RFC 7807 ProblemDetails. Every writer takes status, title and type from here: the
/// exception handler, the batch item results, the endpoints' own answers (not found, validation, malformed or too
/// large bodies, media type), authentication and authorization, the rate limiter, load shedding and the status-code
/// pages. A detail never echoes payloads or internal state.
/// </summary>
internal static class ProblemCatalogue
{
    public static readonly ProblemKind Validation = new("validation", StatusCodes.Status400BadRequest, "One or more validation errors occurred.");
    public static readonly ProblemKind MalformedRequest = new("malformed-request", StatusCodes.Status400BadRequest, "Malformed request");
    public static readonly ProblemKind InvalidManifestStore = new("invalid-manifest-store", StatusCodes.Status400BadRequest, "Not a C2PA manifest store");
    public static readonly ProblemKind Unauthorized = new("unauthorized", StatusCodes.Status401Unauthorized, "Authentication required");
    public static readonly ProblemKind Forbidden = new("forbidden", StatusCodes.Status403Forbidden, "Forbidden");
    public static readonly ProblemKind NotFound = new("not-found", StatusCodes.Status404NotFound, "Not found");
    public static readonly ProblemKind MethodNotAllowed = new("method-not-allowed", StatusCodes.Status405MethodNotAllowed, "Method not allowed");
    public static readonly ProblemKind RequestTimeout = new("request-timeout", StatusCodes.Status408RequestTimeout, "Request timeout");
    public static readonly ProblemKind RequestTooLarge = new("request-too-large", StatusCodes.Status413PayloadTooLarge, "Request body too large");
    public static readonly ProblemKind TooLarge = new("too-large", StatusCodes.Status413PayloadTooLarge, "Proof too large");
    public static readonly ProblemKind QueryTooLong = new("query-too-long", StatusCodes.Status414RequestUriTooLong, "Query too long");
    public static readonly ProblemKind UnsupportedMediaType = new("unsupported-media-type", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type");
    public static readonly ProblemKind ContentMatchingUnsupported = new("content-matching-unsupported", StatusCodes.Status415UnsupportedMediaType,
        "Content matching not supported");
    public static readonly ProblemKind RateLimited = new("rate-limited", StatusCodes.Status429TooManyRequests, "Too many requests");
    public static readonly ProblemKind Unexpected = new("unexpected", StatusCodes.Status500InternalServerError, "Unexpected error");
    public static readonly ProblemKind Integrity = new("integrity", StatusCodes.Status502BadGateway, "Stored proof failed verification");
    public static readonly ProblemKind StorageUnavailable = new("storage-unavailable", StatusCodes.Status503ServiceUnavailable, "Storage unavailable", RetryAfterSeconds: 5);
    public static readonly ProblemKind Overloaded = new("overloaded", StatusCodes.Status503ServiceUnavailable, "Overloaded", RetryAfterSeconds: 1);

    private const string StorageUnavailableDetail = "The storage backend did not answer in time. Nothing was changed; retry later.";

    /// <summary>Every entry, for documentation and tests.</summary>
    public static IReadOnlyList<ProblemKind> All { get; } =
    [
        Validation, MalformedRequest, InvalidManifestStore, Unauthorized, Forbidden, NotFound, MethodNotAllowed, RequestTimeout, RequestTooLarge,
        TooLarge, QueryTooLong, UnsupportedMediaType, ContentMatchingUnsupported, RateLimited, Unexpected, Integrity, StorageUnavailable, Overloaded,
    ];

    /// <summary>What kind of failure an exception is, and what the client is told about it.</summary>
    public static (ProblemKind Kind, string Detail) Classify(Exception exception) => exception switch
    {
        ProofValidationException validation => (Validation, validation.Message),
        ManifestStoreFormatException manifest => (InvalidManifestStore, $"The body is not a C2PA manifest store this repository accepts ({manifest.Error} at byte {manifest.Offset}): {manifest.Message}"),
        ProofTooLargeException tooLarge => (TooLarge, tooLarge.Message),
        ProofIntegrityException => (Integrity,
            "The stored copy of this proof is corrupted or cannot be authenticated, and no good copy could be read. It is not served."),
        StorageUnavailableException or TimeoutException => (StorageUnavailable, StorageUnavailableDetail),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } badRequest => (RequestTooLarge, badRequest.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } badRequest => (RequestTimeout, badRequest.Message),
        BadHttpRequestException badRequest => (MalformedRequest, badRequest.Message),
        _ => (Unexpected, "The request failed unexpectedly; see the server log for the trace id."),
    };

    /// <summary>The entry for an error status answered without a body (by routing, say), or null when none fits.</summary>
    public static ProblemKind? ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => MalformedRequest,
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status408RequestTimeout => RequestTimeout,
        StatusCodes.Status413PayloadTooLarge => RequestTooLarge,
        StatusCodes.Status414RequestUriTooLong => QueryTooLong,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => RateLimited,
        _ => null,
    };

    /// <summary>The body of a problem; with <paramref name="errors"/> the ValidationProblem shape (<c>errors</c> per field).</summary>
    public static ProblemDetails Details(ProblemKind kind, string? detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var details = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors.ToDictionary(StringComparer.Ordinal));
        details.Status = kind.Status;
        details.Title = kind.Title;
        details.Type = kind.Type;
        details.Detail = detail;
        return details;
    }

    /// <summary>An endpoint's answer for an expected failure.</summary>
    public static ProblemHttpResult Result(ProblemKind kind, string detail) => TypedResults.Problem(Details(kind, detail));

    /// <summary>An endpoint's <c>400</c> with what is wrong per field.</summary>
    public static ValidationProblem ValidationResult(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: Validation.Title, type: Validation.Type);

    /// <summary>
    /// Answers a problem from outside an endpoint (exception handler, authentication, rate limiter, load shedding):
    /// status, <c>Retry-After</c> (the kind's, unless <paramref name="retryAfterSeconds"/> says otherwise) and the body.
    /// </summary>
    public static ValueTask<bool> WriteAsync(IProblemDetailsService problemDetails, HttpContext context, ProblemKind kind, string detail,
        int? retryAfterSeconds = null, Exception? exception = null, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(problemDetails);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(kind);
        context.Response.StatusCode = kind.Status;
        if ((retryAfterSeconds ?? kind.RetryAfterSeconds) is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        return problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = Details(kind, errors is null ? detail : null, errors),
        });
    }

    /// <summary>
    /// An error status set without a body (an unmatched route, a wrong method) gets its entry: the one place a bare
    /// status becomes a problem (<see cref="StatusProblemMiddleware"/> calls it).
    /// </summary>
    public static async Task WriteStatusProblemAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var problemDetails = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        var status = http.Response.StatusCode;
        if (ForStatus(status) is { } kind)
        {
            var detail = kind == NotFound ? "Nothing is at this path."
                : kind == MethodNotAllowed ? $"This path does not accept {http.Request.Method}."
                : kind.Title + ".";
            await WriteAsync(problemDetails, http, kind, detail);
            return;
        }

        // A status without an entry keeps ASP.NET Core's generic problem (title and type from the status).
        await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = new ProblemDetails { Status = status } });
    }
}
