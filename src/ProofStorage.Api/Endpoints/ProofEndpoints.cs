using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Contracts;
using ProofStorage.Api.Http;
using ProofStorage.Api.OpenApi;
using ProofStorage.Api.Security;
using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;

namespace ProofStorage.Api.Endpoints;

/// <summary>The v1 proof API the signing service codes against.</summary>
internal static class ProofEndpoints
{
    public static IEndpointRouteBuilder MapProofEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/proofs").WithTags("Proofs");

        // The two hot endpoints take their singletons here rather than from the request's services: a request that
        // never touches RequestServices never gets a dependency-injection scope created and disposed for it.
        var services = app.ServiceProvider;
        var store = services.GetRequiredService<StorageManager>();
        var headers = services.GetRequiredService<ProofResponseHeaders>();
        var api = services.GetRequiredService<IOptions<ApiOptions>>();
        var storage = services.GetRequiredService<IOptions<ProofStorageOptions>>();
        var budget = services.GetRequiredService<RequestBodyBudget>();
        var answer = BufferedJson.For<StoreProofResponse>(services);

        group.MapPost("/", (HttpRequest request, CancellationToken cancellationToken) => StoreProof(request, store, api, storage, budget, answer, cancellationToken))
            .WithName("StoreProof")
            .RequireScope(ProofStorageScopes.Write)
            .WithRequestClass(RequestClass.Write)
            .WithSummary("Store the proof of an image (JSON), or a C2PA manifest store as its raw bytes (application/c2pa)")
            .WithDescription("201 with Location for a new proof; 200 with deduplicated:true when the image already has a proof (nothing new is stored). "
                + "With Content-Type: application/c2pa the body is a JUMBF manifest store, kept as sent (no base64); the query string carries "
                + "imageHash (optional: without it the proof is named by the active manifest's id), metadata.{key}={value} and "
                + "softBinding={alg}:{base64} (repeatable). The answer then includes manifestId. See docs/c2pa.md.")
            .Accepts<StoreProofRequest>("application/json", ProofMediaTypes.C2pa)
            .WithMetadata(ManifestStoreQueryMetadata.Instance)
            // A duplicate is answered with the stored proof, which is read (and verified) for it.
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.InvalidManifestStore, ProblemCatalogue.TooLarge, ProblemCatalogue.Integrity,
                ProblemCatalogue.StorageUnavailable);

        group.MapMethods("/{proofId}", [HttpMethods.Get, HttpMethods.Head],
                (string proofId, CancellationToken cancellationToken) => GetProof(proofId, store, headers, cancellationToken))
            .WithName("GetProof")
            .RequireScope(ProofStorageScopes.Read)
            .WithSummary("Get a proof by id (native or legacy id)")
            .WithDescription("Returns the record JSON with a strong ETag and Cache-Control immutable (public when anonymous reads are on, private otherwise); "
                + "If-None-Match gives 304; Accept-Encoding: gzip gets the stored gzip bytes. Link: <…/manifest>; rel=\"c2pa-manifest\" names the proof document.")
            .ProducesProofRepresentation(typeof(ProofRecordResponse), "application/json")
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        group.MapMethods("/{proofId}/manifest", [HttpMethods.Get, HttpMethods.Head], GetProofManifest)
            .WithName("GetProofManifest")
            .RequireScope(ProofStorageScopes.Read)
            .RequireCors(ManifestCors.PolicyName)
            .WithSummary("Get the proof document itself (the C2PA remote manifest)")
            .WithDescription("The stored proof value on its own, with the media type given on store (application/json when none): "
                + "the JSON text byte for byte, or the decoded bytes of a base64 proof of a binary type such as application/c2pa. Same caching headers as the record.")
            .ProducesProofRepresentation(null, "application/json", "application/c2pa")
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        group.MapGet("/{proofId}/url", GetProofUrl)
            .WithName("GetProofUrl")
            .RequireScope(ProofStorageScopes.Read)
            .WithSummary("Get a URL to fetch the proof from: the CDN, this service, or a presigned bucket URL")
            .WithDescription("kind cdn: the record under ProofStorage:Cdn:PublicBaseUrl; service: the record on this service; presigned "
                + "(UrlMode Presigned, S3/R2 only): the encrypted envelope in the bucket until expiresAt. expiresIn (seconds) is clamped to MaxPresignedUrlExpiry.")
            .Produces<ProofUrlResponse>()
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        group.MapMethods("/by-image/{imageHash}", [HttpMethods.Get, HttpMethods.Head], GetProofByImage)
            .WithName("GetProofByImage")
            .RequireScope(ProofStorageScopes.Read)
            .WithSummary("Get the proof of an image by its SHA-256")
            .ProducesProofRepresentation(typeof(ProofRecordResponse), "application/json")
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        group.MapDelete("/{proofId}", DeleteProof)
            .WithName("DeleteProof")
            .RequireScope(ProofStorageScopes.Delete)
            .WithRequestClass(RequestClass.Write)
            .WithSummary("Delete a proof")
            .WithDescription("Afterwards both GETs give 404 and storing the same image again creates a new proof. "
                + "Copies a CDN holds are not purged by this call; with ProofStorage:Cdn:PurgeWebhookUrl set, a background POST names the paths to purge. See docs/operations.md (CDN).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.StorageUnavailable);

        group.MapPost("/batch", StoreBatch)
            .WithName("StoreProofBatch")
            .RequireScope(ProofStorageScopes.Write)
            .WithRequestClass(RequestClass.Write)
            .WithSummary("Store up to MaxBatchItems proofs; one result per item")
            .Accepts<BatchStoreRequest>("application/json")
            .Produces<BatchStoreResponse>()
            // Each item's own failure is in its result (status and type from the catalogue), not the response's status.
            .ProducesProblems(ProblemCatalogue.Validation);

        group.MapPost("/lookup", Lookup)
            .WithName("LookupProofs")
            .RequireScope(ProofStorageScopes.Read)
            .WithSummary("Fetch many proofs by id")
            .Accepts<LookupRequest>("application/json")
            .Produces<LookupResponse>()
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.Integrity, ProblemCatalogue.StorageUnavailable);

        return app;
    }

    internal static async Task<Results<CreatedJson<StoreProofResponse>, OkJson<StoreProofResponse>, ValidationProblem, ProblemHttpResult>> StoreProof(
        HttpRequest request, StorageManager store, IOptions<ApiOptions> api, IOptions<ProofStorageOptions> storage, RequestBodyBudget budget,
        JsonTypeInfo<StoreProofResponse> answer, CancellationToken cancellationToken)
    {
        if (ManifestStoreRequest.IsManifestStore(request.ContentType))
        {
            return await StoreManifestStore(request, store, api.Value, budget, answer, cancellationToken);
        }

        var maxDepth = storage.Value.MaxProofDepth;
        var (body, problem) = await JsonRequestReader.ReadBodyAsync(request, api.Value.MaxRequestBodyBytes, budget, RequestBodyBudget.StoreFactor);
        if (problem is not null)
        {
            return problem;
        }

        // The body (and with it the proof's bytes, which the command slices) lives until the store is done.
        using (body)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            StoreProofCommand? command;
            try
            {
                command = StoreRequestParser.ParseSingle(body!.Written, maxDepth, api.Value, errors);
            }
            catch (Exception ex) when (JsonRequestReader.IsMalformed(ex))
            {
                return JsonRequestReader.Malformed(ex, body!.Written.Span, maxDepth);
            }

            if (command is null)
            {
                return ProblemCatalogue.ValidationResult(errors);
            }

            StoreProofResult result;
            try
            {
                result = await store.StoreAsync(command, cancellationToken);
            }
            catch (ProofValidationException ex)
            {
                return ProblemCatalogue.ValidationResult(ex.Errors);
            }

            return Stored(result, answer);
        }
    }

    /// <summary>
    /// The binary kind of the store: the body is a manifest store, read by the same reader as a JSON body (native memory,
    /// within the in-flight budget), the query string says what comes with it.
    /// </summary>
    private static async Task<Results<CreatedJson<StoreProofResponse>, OkJson<StoreProofResponse>, ValidationProblem, ProblemHttpResult>> StoreManifestStore(
        HttpRequest request, StorageManager store, ApiOptions api, RequestBodyBudget budget, JsonTypeInfo<StoreProofResponse> answer,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody.ReadAsync(request, api.MaxRequestBodyBytes, budget, RequestBodyBudget.StoreFactor);
        if (problem is not null)
        {
            return problem;
        }

        // The body (the manifest store's bytes, which the command holds) lives until the store is done.
        using (body)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var command = ManifestStoreRequest.Parse(request.Query, body!.Written, api, errors);
            if (command is null)
            {
                return ProblemCatalogue.ValidationResult(errors);
            }

            try
            {
                return Stored(await store.StoreAsync(command, cancellationToken), answer);
            }
            catch (ProofValidationException ex)
            {
                return ProblemCatalogue.ValidationResult(ex.Errors);
            }
        }
    }

    /// <summary>The answer to a store; the result's document is disposed (the response keeps only its fields).</summary>
    private static Results<CreatedJson<StoreProofResponse>, OkJson<StoreProofResponse>, ValidationProblem, ProblemHttpResult> Stored(StoreProofResult result,
        JsonTypeInfo<StoreProofResponse> answer)
    {
        using (result.Document)
        {
            var response = ToResponse(result);
            return result.Deduplicated
                ? new OkJson<StoreProofResponse>(response, answer)
                : new CreatedJson<StoreProofResponse>($"/v1/proofs/{response.ProofId}", response, answer);
        }
    }

    internal static ValueTask<IResult> GetProof(string proofId, StorageManager store, ProofResponseHeaders headers, CancellationToken cancellationToken)
    {
        if (!ProofIds.IsValid(proofId))
        {
            return ValueTask.FromResult<IResult>(InvalidProofId());
        }

        // An L1 hit, the hot path of a proof store, answers without an asynchronous hop.
        return store.TryGetCached(proofId, out var cached)
            ? ValueTask.FromResult<IResult>(new ProofDocumentResult(cached, headers))
            : GetProofAsync(proofId, store, headers, cancellationToken);
    }

    private static async ValueTask<IResult> GetProofAsync(string proofId, StorageManager store, ProofResponseHeaders headers, CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(proofId, cancellationToken);
        return document is null ? NotFound($"No proof has the id '{proofId}'.") : new ProofDocumentResult(document, headers);
    }

    internal static async Task<IResult> GetProofManifest(string proofId, StorageManager store, ProofResponseHeaders headers,
        CancellationToken cancellationToken)
    {
        if (!ProofIds.IsValid(proofId))
        {
            return InvalidProofId();
        }

        var document = await store.GetAsync(proofId, cancellationToken);
        return document is null ? NotFound($"No proof has the id '{proofId}'.") : new ProofManifestResult(document, headers);
    }

    internal static async Task<Results<Ok<ProofUrlResponse>, ValidationProblem, ProblemHttpResult>> GetProofUrl(string proofId, string? expiresIn,
        HttpContext context, StorageManager store, ProofResponseHeaders headers, IOptions<CdnOptions> cdn, CancellationToken cancellationToken)
    {
        if (!ProofIds.IsValid(proofId))
        {
            return InvalidProofId();
        }

        var options = cdn.Value;
        var lifetime = options.PresignedUrlExpiry;
        if (expiresIn is not null)
        {
            if (!long.TryParse(expiresIn, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1)
            {
                return ProblemCatalogue.ValidationResult(new Dictionary<string, string[]>
                {
                    ["expiresIn"] = [$"expiresIn is a whole number of seconds, at least 1 (longer than {(long)options.MaxPresignedUrlExpiry.TotalSeconds} is shortened to that)."],
                });
            }

            // Asking for more than the operator allows is not an error: the answer says what was granted.
            lifetime = seconds >= (long)options.MaxPresignedUrlExpiry.TotalSeconds ? options.MaxPresignedUrlExpiry : TimeSpan.FromSeconds(seconds);
        }

        // A presigned answer goes stale as it expires: never cache any of them.
        context.Response.Headers.CacheControl = "no-store";
        var mode = options.EffectiveUrlMode;
        if (mode == ProofUrlMode.Presigned)
        {
            var signed = await store.CreatePresignedUrlAsync(proofId, lifetime, cancellationToken);
            return signed is null
                ? NotFound($"No proof has the id '{proofId}'.")
                : TypedResults.Ok(new ProofUrlResponse
                {
                    Url = signed.Url.AbsoluteUri,
                    Kind = "presigned",
                    ExpiresAt = ProofRecord.FormatTimestamp(signed.ExpiresAt),
                });
        }

        // A URL is handed out only for a proof that exists, whatever the mode.
        using var document = await store.GetAsync(proofId, cancellationToken);
        if (document is null)
        {
            return NotFound($"No proof has the id '{proofId}'.");
        }

        // A legacy id resolves to the native one: one URL, one CDN entry per proof.
        var request = context.Request;
        return TypedResults.Ok(mode == ProofUrlMode.Cdn
            ? new ProofUrlResponse { Url = headers.RecordUrl(document.ProofId), Kind = "cdn" }
            : new ProofUrlResponse { Url = $"{request.Scheme}://{request.Host}{request.PathBase}/v1/proofs/{document.ProofId}", Kind = "service" });
    }

    internal static async Task<IResult> GetProofByImage(string imageHash, StorageManager store, ProofResponseHeaders headers, CancellationToken cancellationToken)
    {
        if (!ImageHash.TryParse(imageHash, out var hash))
        {
            return ProblemCatalogue.ValidationResult(new Dictionary<string, string[]>
            {
                ["imageHash"] = ["imageHash must be the SHA-256 of the image: 64 hexadecimal characters."],
            });
        }

        var document = await store.GetByImageAsync(hash, cancellationToken);
        return document is null ? NotFound("No proof is stored for this image.") : new ProofDocumentResult(document, headers);
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteProof(string proofId, StorageManager store,
        CdnPurgeWebhook purge, CancellationToken cancellationToken)
    {
        if (!ProofIds.IsValid(proofId))
        {
            return InvalidProofId();
        }

        // The store reads the proof before deleting it (its record names its index objects); the purge notice names
        // what it read: the native id, the image (by-image path) and the manifest id (the C2PA manifest path).
        if (await store.DeleteAsync(proofId, cancellationToken) is not { } deleted)
        {
            return NotFound($"No proof has the id '{proofId}'.");
        }

        purge.Enqueue(deleted);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<BatchStoreResponse>, ValidationProblem, ProblemHttpResult>> StoreBatch(HttpRequest request,
        StorageManager store, IOptions<ApiOptions> api, IOptions<ProofStorageOptions> storage, RequestBodyBudget budget, CancellationToken cancellationToken)
    {
        var limits = api.Value;
        var maxDepth = storage.Value.MaxProofDepth + 2;
        var (body, problem) = await JsonRequestReader.ReadBodyAsync(request, limits.MaxRequestBodyBytes, budget, RequestBodyBudget.StoreFactor);
        if (problem is not null)
        {
            return problem;
        }

        using (body)
        {
            var shapeErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            List<(StoreProofCommand? Command, Dictionary<string, string[]>? Errors)>? items;
            try
            {
                items = StoreRequestParser.ParseBatch(body!.Written, maxDepth, limits, shapeErrors);
            }
            catch (Exception ex) when (JsonRequestReader.IsMalformed(ex))
            {
                return JsonRequestReader.Malformed(ex, body!.Written.Span, maxDepth);
            }

            if (items is null)
            {
                return ProblemCatalogue.ValidationResult(shapeErrors);
            }

            var count = items.Count;
            var results = new BatchItemResult?[count];
            var commands = new List<StoreProofCommand>(count);
            var positions = new List<int>(count);
            for (var index = 0; index < count; index++)
            {
                var (command, errors) = items[index];
                if (command is null)
                {
                    results[index] = FailedBatchItem(index, new ProofValidationException(errors!));
                }
                else
                {
                    commands.Add(command);
                    positions.Add(index);
                }
            }

            var outcomes = await store.StoreBatchAsync(commands, limits.BatchParallelism, cancellationToken);
            foreach (var outcome in outcomes)
            {
                var position = positions[outcome.Index];
                using (outcome.Result?.Document)
                {
                    results[position] = outcome.Result is { } result ? ToBatchResult(position, result) : FailedBatchItem(position, outcome.Error!);
                }
            }

            return TypedResults.Ok(new BatchStoreResponse { Results = results! });
        }
    }

    internal static async Task<IResult> Lookup(HttpRequest request, StorageManager store, IOptions<ApiOptions> api, RequestBodyBudget budget,
        CancellationToken cancellationToken)
    {
        var limits = api.Value;
        var (document, problem) = await JsonRequestReader.ReadAsync(request, limits, 8, budget);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("proofIds", out var idsElement) || idsElement.ValueKind != JsonValueKind.Array)
            {
                return ProblemCatalogue.ValidationResult(new Dictionary<string, string[]> { ["proofIds"] = ["The body is {\"proofIds\": [ids]}."] });
            }

            // Counted before a single id is read: the document knows its array's length, and a 10 MB body of two million
            // ids read into strings first held 140 MB before this refused it.
            var count = idsElement.GetArrayLength();
            if (count == 0 || count > limits.MaxLookupIds)
            {
                return ProblemCatalogue.ValidationResult(new Dictionary<string, string[]> { ["proofIds"] = [$"Ask for 1-{limits.MaxLookupIds} ids."] });
            }

            var ids = new List<string>(count);
            foreach (var element in idsElement.EnumerateArray())
            {
                if (!JsonStrings.TryGet(element, out var id) || !ProofIds.IsValid(id))
                {
                    return ProblemCatalogue.ValidationResult(new Dictionary<string, string[]>
                    {
                        ["proofIds"] = ["Every proof id is 1-128 characters of A-Z, a-z, 0-9, '_' or '-'."],
                    });
                }

                ids.Add(id);
            }

            var (found, missing) = await store.LookupAsync(ids.Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
            return new LookupResult(found, missing);
        }
    }

    private static StoreProofResponse ToResponse(StoreProofResult result) => new()
    {
        ProofId = result.Document.ProofId,
        ImageHash = result.Document.ImageHash?.Value,
        ManifestId = result.Document.C2pa?.ManifestId,
        CreatedAt = ProofRecord.FormatTimestamp(result.Document.CreatedAt),
        Deduplicated = result.Deduplicated,
        SizeBytes = result.Document.RecordLength,
        StoredBytes = result.Document.StoredBytes,
    };

    private static BatchItemResult ToBatchResult(int index, StoreProofResult result)
    {
        var response = ToResponse(result);
        return new BatchItemResult
        {
            Index = index,
            Status = result.Deduplicated ? StatusCodes.Status200OK : StatusCodes.Status201Created,
            ProofId = response.ProofId,
            ImageHash = response.ImageHash,
            CreatedAt = response.CreatedAt,
            Deduplicated = response.Deduplicated,
            SizeBytes = response.SizeBytes,
            StoredBytes = response.StoredBytes,
        };
    }

    /// <summary>A batch item that failed: the status and type of its failure's catalogue entry, and the detail.</summary>
    private static BatchItemResult FailedBatchItem(int index, Exception error)
    {
        var (kind, detail) = ProblemCatalogue.Classify(error);
        return new BatchItemResult { Index = index, Status = kind.Status, Type = kind.Type, Error = detail };
    }

    private static ValidationProblem InvalidProofId() =>
        ProblemCatalogue.ValidationResult(new Dictionary<string, string[]>
        {
            ["proofId"] = ["A proof id is 1-128 characters of A-Z, a-z, 0-9, '_' or '-'."],
        });

    private static ProblemHttpResult NotFound(string detail) => ProblemCatalogue.Result(ProblemCatalogue.NotFound, detail);
}
