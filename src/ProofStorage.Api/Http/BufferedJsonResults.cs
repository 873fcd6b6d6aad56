using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace ProofStorage.Api.Http;

/// <summary>
/// A small JSON answer written in one piece: serialized first, sent with <c>Content-Length</c> in a single write. The
/// framework's <c>Ok&lt;T&gt;</c>/<c>Created&lt;T&gt;</c> stream the serializer's output and flush it, so the response goes
/// out chunked in two sends (the body, then the closing chunk): on a duplicate store, the hot write path, that second
/// send cost about a tenth of the request's CPU. Same serializer options, same media type, same OpenAPI metadata. The
/// type's serializer metadata is resolved once by the endpoint (<see cref="For{TValue}"/>), not per request: touching
/// the request's services would create a dependency-injection scope for every store.
/// </summary>
internal static class BufferedJson
{
    private const string ContentType = "application/json; charset=utf-8";

    /// <summary>The serializer metadata of <typeparamref name="TValue"/> under the host's JSON options (resolve once, at mapping).</summary>
    public static JsonTypeInfo<TValue> For<TValue>(IServiceProvider services) =>
        (JsonTypeInfo<TValue>)services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(typeof(TValue));

    public static Task WriteAsync<TValue>(HttpContext context, int statusCode, TValue value, JsonTypeInfo<TValue> type, string? location = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        if (location is not null)
        {
            response.Headers.Location = location;
        }

        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public static void Describe<TValue>(EndpointBuilder builder, int statusCode)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(statusCode, typeof(TValue), ["application/json"]));
    }
}

/// <summary><c>200</c> with <typeparamref name="TValue"/> as JSON, in one write (<see cref="BufferedJson"/>).</summary>
internal sealed class OkJson<TValue>(TValue value, JsonTypeInfo<TValue> type) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TValue>
{
    public TValue Value => value;

    object? IValueHttpResult.Value => value;

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext) => BufferedJson.WriteAsync(httpContext, StatusCodes.Status200OK, value, type);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => BufferedJson.Describe<TValue>(builder, StatusCodes.Status200OK);
}

/// <summary><c>201</c> with <c>Location</c> and <typeparamref name="TValue"/> as JSON, in one write (<see cref="BufferedJson"/>).</summary>
internal sealed class CreatedJson<TValue>(string location, TValue value, JsonTypeInfo<TValue> type) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult,
    IValueHttpResult<TValue>
{
    public string Location => location;

    public TValue Value => value;

    object? IValueHttpResult.Value => value;

    public int? StatusCode => StatusCodes.Status201Created;

    public Task ExecuteAsync(HttpContext httpContext) => BufferedJson.WriteAsync(httpContext, StatusCodes.Status201Created, value, type, location);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => BufferedJson.Describe<TValue>(builder, StatusCodes.Status201Created);
}
