using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Contracts;
using ProofStorage.Api.Http;
using ProofStorage.Api.Security;
using ProofStorage.Core;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Endpoints;

/// <summary>
/// The C2PA Soft Binding Resolution API (C2PA 2.4 "Soft Binding API", API version 2.3.0) under <see cref="Prefix"/>: what
/// C2PA tools use to find a manifest store by a watermark or fingerprint value, to fetch it by its manifest id, and the
/// store side of the decoupled profile. Request and response shapes are the published ones; errors are this service's
/// ProblemDetails (the specification defines no error body). Reads follow the same key and scope rules as every read
/// (<c>proofs:read</c>, or anyone when anonymous reads are on), stores need <c>proofs:write</c>, a delete
/// <c>proofs:delete</c>. See docs/c2pa.md.
/// </summary>
internal static class C2paEndpoints
{
    /// <summary>Where the API is mounted: its <c>servers</c> URL is <c>{service}/c2pa/v1</c>.</summary>
    public const string Prefix = "/c2pa/v1";

    /// <summary>The specification's default for <c>maxResults</c>.</summary>
    public const int DefaultMaxResults = 10;

    /// <summary>The most matches one query returns (a larger <c>maxResults</c> is answered with at most this many).</summary>
    public const int MaxResultsLimit = 100;

    /// <summary>
    /// The longest <c>value</c> a <c>GET /matches/byBinding</c> takes (base64 characters); longer is a <c>414</c> that points to
    /// the POST form, as the specification says, well before URLs reach common proxy limits.
    /// </summary>
    public const int MaxGetValueLength = 2048;

    /// <summary>The path a manifest is fetched from by its id (a manifest id is a URN: ':' is fine in a path segment).</summary>
    public static string ManifestPath(string manifestId) => $"{Prefix}/manifests/{Uri.EscapeDataString(manifestId).Replace("%3A", ":", StringComparison.Ordinal)}";

    public static IEndpointRouteBuilder MapC2paEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).WithTags("C2PA Soft Binding Resolution API");

        group.MapGet("/services/supportedAlgorithms", GetSupportedAlgorithms)
            .WithName("C2paSupportedAlgorithms")
            .RequireScope(ProofStorageScopes.Read)
            .RequireCors(ManifestCors.PolicyName)
            .WithSummary("The soft binding algorithms this repository resolves (every name on the C2PA list; matching is exact)")
            .Produces<SoftBindingAlgList>();

        group.MapGet("/matches/byBinding", QueryByBinding)
            .WithName("C2paQueryByBinding")
            .RequireScope(ProofStorageScopes.Read)
            .RequireCors(ManifestCors.PolicyName)
            .WithSummary("Manifest ids of the manifest stores carrying a soft binding value")
            .WithDescription("alg: a name from the C2PA soft binding algorithm list; value: base64; maxResults: 1 or more (default 10, at most 100 returned). "
                + "A value longer than 2048 characters is a 414: use POST.")
            .Produces<SoftBindingQueryResult>()
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.QueryTooLong, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        group.MapPost("/matches/byBinding", QueryByLargeBinding)
            .WithName("C2paQueryByLargeBinding")
            .RequireScope(ProofStorageScopes.Read)
            .RequireCors(ManifestCors.PolicyName)
            .WithSummary("As GET /matches/byBinding, the binding in the body")
            .Accepts<SoftBindingQuery>("application/json")
            .Produces<SoftBindingQueryResult>()
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        group.MapPost("/matches/byContent", QueryByContent)
            .WithName("C2paQueryByContent")
            .RequireScope(ProofStorageScopes.Read)
            .WithSummary("Not supported: this repository computes no fingerprint from content (415)")
            // Declared as a response too: a route with no response metadata is documented with a default 200 it never answers.
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblems(ProblemCatalogue.ContentMatchingUnsupported);

        group.MapPost("/manifests", AddManifest)
            .WithName("C2paAddManifest")
            .RequireScope(ProofStorageScopes.Write)
            .WithRequestClass(RequestClass.Write)
            .WithSummary("Store a C2PA manifest store (application/c2pa); answers its active manifest's id")
            .WithDescription("200 {\"manifestId\"} whether it was stored now or already held (same manifest id, same proof). No receipt is issued "
                + "(returnReceipt=true is answered without one). Soft bindings its active manifest declares are indexed.")
            .Accepts<byte[]>(ProofMediaTypes.C2pa)
            .Produces<ManifestCreateResult>()
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.InvalidManifestStore, ProblemCatalogue.TooLarge, ProblemCatalogue.Integrity,
                ProblemCatalogue.StorageUnavailable);

        group.MapMethods("/manifests/{manifestId}", [HttpMethods.Get, HttpMethods.Head], GetManifest)
            .WithName("C2paGetManifest")
            .RequireScope(ProofStorageScopes.Read)
            .RequireCors(ManifestCors.PolicyName)
            .WithSummary("The manifest store whose active manifest is manifestId (application/c2pa)")
            .WithDescription("returnActiveManifest=true: a manifest store holding only the active manifest. Strong ETag, immutable caching, 304, HEAD.")
            .ProducesProofRepresentation(null, ProofMediaTypes.C2pa)
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        group.MapDelete("/manifests/{manifestId}", DeleteManifest)
            .WithName("C2paDeleteManifest")
            .RequireScope(ProofStorageScopes.Delete)
            .WithRequestClass(RequestClass.Write)
            .WithSummary("Delete the manifest store(s) whose active manifest is manifestId, and their soft bindings")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        group.MapPost("/bindings", AssociateManifest)
            .WithName("C2paAssociateManifest")
            .RequireScope(ProofStorageScopes.Write)
            .WithRequestClass(RequestClass.Write)
            .WithSummary("Make a soft binding value find a stored manifest store (204)")
            .WithDescription("The value must be one the manifest store carries (given with it or declared by its active manifest's c2pa.soft-binding "
                + "assertion); 404 when the manifest id is not stored or the store carries no such value.")
            .Accepts<SoftBindingAssociation>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        return app;
    }

    internal static Ok<SoftBindingAlgList> GetSupportedAlgorithms() => TypedResults.Ok(new SoftBindingAlgList
    {
        Watermarks = Entries(SoftBindingAlgorithmType.Watermark),
        Fingerprints = Entries(SoftBindingAlgorithmType.Fingerprint),
    });

    internal static async Task<Results<Ok<SoftBindingQueryResult>, ValidationProblem, ProblemHttpResult>> QueryByBinding(string? alg, string? value,
        string? maxResults, HttpContext context, StorageManager store, CancellationToken cancellationToken)
    {
        if (value is { Length: > MaxGetValueLength })
        {
            return ProblemCatalogue.Result(ProblemCatalogue.QueryTooLong,
                $"The value is longer than {MaxGetValueLength} characters: send it in the body of POST {Prefix}/matches/byBinding.");
        }

        return await MatchAsync(alg, value, maxResults, context, store, cancellationToken);
    }

    internal static async Task<Results<Ok<SoftBindingQueryResult>, ValidationProblem, ProblemHttpResult>> QueryByLargeBinding(string? maxResults,
        HttpContext context, StorageManager store, IOptions<ApiOptions> api, RequestBodyBudget budget, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonRequestReader.ReadAsync(context.Request, api.Value, maxDepth: 2, budget);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ProblemCatalogue.ValidationResult(new Dictionary<string, string[]> { ["$"] = ["The body is {\"alg\": string, \"value\": base64 string}."] });
            }

            return await MatchAsync(StringProperty(root, "alg"), StringProperty(root, "value"), maxResults, context, store, cancellationToken);
        }
    }

    internal static ProblemHttpResult QueryByContent() =>
        ProblemCatalogue.Result(ProblemCatalogue.ContentMatchingUnsupported,
            $"This repository computes no soft binding from content (no fingerprint algorithm is configured): read the watermark or fingerprint "
            + $"yourself and query GET {Prefix}/matches/byBinding. GET {Prefix}/services/supportedAlgorithms lists the algorithms.");

    internal static async Task<Results<Ok<ManifestCreateResult>, ValidationProblem, ProblemHttpResult>> AddManifest(string? returnReceipt,
        HttpRequest request, StorageManager store, IOptions<ApiOptions> api, RequestBodyBudget budget, CancellationToken cancellationToken)
    {
        if (!ManifestStoreRequest.IsManifestStore(request.ContentType))
        {
            return ProblemCatalogue.Result(ProblemCatalogue.UnsupportedMediaType, $"Send the manifest store as {ProofMediaTypes.C2pa}.");
        }

        if (ParseBoolean(returnReceipt, "returnReceipt") is { } receiptError)
        {
            return receiptError;
        }

        // The same body reader as every store (native memory, within the in-flight budget); the body lives until the store is done.
        var (body, problem) = await RequestBody.ReadAsync(request, api.Value.MaxRequestBodyBytes, budget, RequestBodyBudget.StoreFactor);
        if (problem is not null)
        {
            return problem;
        }

        StoreProofResult stored;
        using (body)
        {
            try
            {
                stored = await store.StoreAsync(StoreProofCommand.ForManifestStore(imageHash: null, body!.Written, metadata: null), cancellationToken);
            }
            catch (ProofValidationException ex)
            {
                return ProblemCatalogue.ValidationResult(ex.Errors);
            }
        }

        // A proof named by an image hash may hold the same manifest id; whichever holds it, the id is the answer.
        using (stored.Document)
        {
            return TypedResults.Ok(new ManifestCreateResult { ManifestId = stored.Document.C2pa!.ManifestId });
        }
    }

    internal static async Task<IResult> GetManifest(string manifestId, string? returnActiveManifest, StorageManager store, ProofResponseHeaders headers,
        CancellationToken cancellationToken)
    {
        if (!ManifestStore.IsManifestLabel(manifestId))
        {
            return InvalidManifestId();
        }

        var activeOnly = false;
        if (returnActiveManifest is not null)
        {
            if (!bool.TryParse(returnActiveManifest, out activeOnly))
            {
                return BooleanProblem("returnActiveManifest");
            }
        }

        var document = await store.FindByManifestIdAsync(manifestId, cancellationToken);
        return document is null
            ? ProblemCatalogue.Result(ProblemCatalogue.NotFound, $"No manifest store with the active manifest '{manifestId}' is stored here.")
            : new ProofManifestResult(document, headers, activeOnly);
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteManifest(string manifestId, StorageManager store,
        CdnPurgeWebhook purge, CancellationToken cancellationToken)
    {
        if (!ManifestStore.IsManifestLabel(manifestId))
        {
            return InvalidManifestId();
        }

        var deleted = await store.DeleteByManifestIdAsync(manifestId, cancellationToken);
        if (deleted.Count == 0)
        {
            return ProblemCatalogue.Result(ProblemCatalogue.NotFound, $"No manifest store with the active manifest '{manifestId}' is stored here.");
        }

        foreach (var proof in deleted)
        {
            purge.Enqueue(proof);
        }

        return TypedResults.NoContent();
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AssociateManifest(HttpRequest request, StorageManager store,
        IOptions<ApiOptions> api, RequestBodyBudget budget, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonRequestReader.ReadAsync(request, api.Value, maxDepth: 2, budget);
        if (problem is not null)
        {
            return problem;
        }

        string? manifestId;
        byte[]? value;
        using (document)
        {
            var root = document!.RootElement;
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            manifestId = root.ValueKind == JsonValueKind.Object ? StringProperty(root, "manifestId") : null;
            if (manifestId is null || !ManifestStore.IsManifestLabel(manifestId))
            {
                errors["manifestId"] = [ManifestIdRule];
            }

            if (!SoftBinding.TryDecodeValue(root.ValueKind == JsonValueKind.Object ? StringProperty(root, "bindingValue") : null, out value))
            {
                errors["bindingValue"] = [SoftBinding.Describe(SoftBindingError.MalformedValue).Replace("value must", "bindingValue must", StringComparison.Ordinal)];
            }

            if (errors.Count > 0)
            {
                return ProblemCatalogue.ValidationResult(errors);
            }
        }

        return await store.AssociateBindingAsync(manifestId!, value!, cancellationToken) switch
        {
            AssociationOutcome.Bound => TypedResults.NoContent(),
            AssociationOutcome.ManifestNotFound => ProblemCatalogue.Result(ProblemCatalogue.NotFound, $"No manifest store with the active manifest '{manifestId}' is stored here."),
            _ => ProblemCatalogue.Result(ProblemCatalogue.NotFound,
                "The manifest store carries no soft binding with this value (neither given when it was stored nor declared by its active manifest), so it is not bound."),
        };
    }

    private static async Task<Results<Ok<SoftBindingQueryResult>, ValidationProblem, ProblemHttpResult>> MatchAsync(string? alg, string? value,
        string? maxResults, HttpContext context, StorageManager store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var limit = DefaultMaxResults;
        if (maxResults is not null && (!int.TryParse(maxResults, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            errors["maxResults"] = ["maxResults is a whole number, at least 1."];
        }

        SoftBinding? binding = null;
        if (alg is null)
        {
            errors["alg"] = ["alg is required."];
        }
        else if (value is null)
        {
            errors["value"] = ["value is required."];
        }
        else if (!SoftBinding.TryCreate(alg, value, out binding, out var error))
        {
            errors[error == SoftBindingError.UnknownAlgorithm ? "alg" : "value"] = [SoftBinding.Describe(error)];
        }

        if (errors.Count > 0)
        {
            return ProblemCatalogue.ValidationResult(errors);
        }

        var documents = await store.FindByBindingAsync(binding!, Math.Min(limit, MaxResultsLimit), cancellationToken);
        var matches = documents.Select(d => new SoftBindingMatch { ManifestId = d.C2pa!.ManifestId }).ToArray();
        foreach (var document in documents)
        {
            document.Dispose();
        }

        // Matches change with every store and delete: a shared cache must not keep them.
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new SoftBindingQueryResult { Matches = matches });
    }

    private static SoftBindingAlgEntry[] Entries(SoftBindingAlgorithmType type) =>
        [.. SoftBindingAlgorithms.All.Where(a => a.Type == type).Select(a => new SoftBindingAlgEntry { Alg = a.Alg })];

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var property) && JsonStrings.TryGet(property, out var text) ? text : null;

    private static ValidationProblem? ParseBoolean(string? value, string name) =>
        value is null || bool.TryParse(value, out _) ? null : BooleanProblem(name);

    private static ValidationProblem BooleanProblem(string name) =>
        ProblemCatalogue.ValidationResult(new Dictionary<string, string[]> { [name] = [$"{name} is true or false."] });

    private const string ManifestIdRule =
        "A manifest id is a C2PA manifest label: urn:c2pa:UUID[:generator[:version_reason]] (or the older [generator:]urn:uuid:UUID), at most 255 characters.";

    private static ValidationProblem InvalidManifestId() =>
        ProblemCatalogue.ValidationResult(new Dictionary<string, string[]> { ["manifestId"] = [ManifestIdRule] });
}
