using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.OpenApi;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// The OpenAPI contract: Swashbuckle over the endpoints' own metadata, with filters that add what the metadata implies
/// (error responses, security, response headers, tag descriptions). The same document is served at
/// <c>/swagger/v1/swagger.json</c> and written at build time to <c>obj/</c> (Microsoft.Extensions.ApiDescription.Server),
/// from where <c>scripts/update-openapi.sh</c> copies it to the committed <c>openapi/proofstorage.v1.json</c>.
/// </summary>
internal static class OpenApiExtensions
{
    public const string DocumentName = "v1";

    /// <summary>Where <c>dotnet run --project src/ProofStorage.Api</c> listens (Properties/launchSettings.json).</summary>
    public const string LocalServerUrl = "http://localhost:5080";

    private const string LocalServerDescription = "A local instance (dotnet run --project src/ProofStorage.Api); a deployment's clients set its address";

    /// <summary>
    /// True while <c>dotnet-getdocument</c> (Microsoft.Extensions.ApiDescription.Server) runs the app at build time to
    /// write the document: its entry assembly is <c>GetDocument.Insider</c>, as the ASP.NET Core docs recommend checking.
    /// </summary>
    public static bool IsGeneratingDocument { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    /// <summary>
    /// The host's options: as given, except while the document is generated at build time, when the app runs as in
    /// Development (no API key or encryption key to configure; the document depends on neither), keeps its data folder
    /// (the development key) in the temp folder instead of the source tree, and logs errors only.
    /// </summary>
    public static WebApplicationOptions BuilderOptions(string[] args) => IsGeneratingDocument
        ? new WebApplicationOptions
        {
            Args = [.. args, $"--ProofStorage:DataPath={Path.Combine(Path.GetTempPath(), "proofstorage-openapi")}", "--Serilog:MinimumLevel:Default=Error"],
            EnvironmentName = Environments.Development,
        }
        : new WebApplicationOptions { Args = args };

    public static IServiceCollection AddProofStorageOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "ProofStorage API",
                Version = "v1",
                Description = "Durable, deduplicated, encrypted storage of image proofs (signed provenance records). Errors are RFC 9457 "
                    + "problems with a stable `type` URN; every operation lists the ones it can answer.",
                License = new OpenApiLicense { Name = "Proprietary" },
            });
            // The one address the project defines; a deployment's clients are given theirs, and a served document names
            // the host that served it (UseProofStorageOpenApi). Generators need an absolute URL (Kiota warns otherwise).
            options.AddServer(new OpenApiServer { Url = LocalServerUrl, Description = LocalServerDescription });
            options.CustomOperationIds(OperationId);
            options.SupportNonNullableReferenceTypes();
            options.ParameterFilter<RouteParametersFilter>();
            options.OperationFilter<ProblemResponsesFilter>();
            options.OperationFilter<ResponseHeadersFilter>();
            options.OperationFilter<ManifestStoreBodyFilter>();
            options.SchemaFilter<AlwaysPresentSchemaFilter>();
            options.SchemaFilter<ProblemDetailsSchemaFilter>();
            options.DocumentFilter<TagsDocumentFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }
        });
        return services;
    }

    /// <summary>Serves the document and Swagger UI under <c>/swagger</c>, naming the requested host as the server so "Try it out" calls it.</summary>
    public static IApplicationBuilder UseProofStorageOpenApi(this IApplicationBuilder app) => app
        .UseSwagger(options => options.PreSerializeFilters.Add((document, request) =>
            document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host}{request.PathBase}", Description = "This instance" }]))
        .UseSwaggerUI(options => options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "ProofStorage v1"));

    /// <summary>
    /// The endpoint's name (<c>.WithName(…)</c>); the <c>HEAD</c> of a <c>GET</c>+<c>HEAD</c> route gets its own id
    /// (<c>GetProof</c> → <c>HeadProof</c>), since generators need one id per operation.
    /// </summary>
    internal static string? OperationId(ApiDescription api)
    {
        var name = api.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName;
        if (name is null || !HttpMethods.IsHead(api.HttpMethod ?? string.Empty))
        {
            return name;
        }

        return "Head" + (name.StartsWith("Get", StringComparison.Ordinal) ? name[3..] : name);
    }
}
