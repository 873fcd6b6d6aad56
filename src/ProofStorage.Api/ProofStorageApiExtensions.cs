using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Http;
using ProofStorage.Api.Security;
using ProofStorage.Caching.Redis;
using ProofStorage.Core;
using ProofStorage.Providers.FileSystem;
using ProofStorage.Providers.S3;
using Serilog;

namespace ProofStorage.Api;

/// <summary>Everything the host needs, in one place so <c>Program.cs</c> stays a table of contents.</summary>
internal static class ProofStorageApiExtensions
{
    public static WebApplicationBuilder AddProofStorageApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .WriteTo.Console(formatProvider: CultureInfo.InvariantCulture));

        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) =>
        {
            kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });

        builder.Services.AddOptions<CdnOptions>().BindConfiguration(CdnOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CdnOptions>, CdnOptionsValidator>();
        builder.Services.AddSingleton<ProofResponseHeaders>();
        builder.Services.AddHttpClient(CdnPurgeWebhook.HttpClientName);
        builder.Services.AddSingleton<CdnPurgeWebhook>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CdnPurgeWebhook>());

        builder.AddProofStorageSecurity();
        builder.Services.AddProofStorageCore();
        builder.Services.AddFileSystemStorageProvider();
        builder.Services.AddS3StorageProvider();
        builder.Services.AddRedisProofCache();

        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();

        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new()
            {
                Title = "ProofStorage API",
                Version = "v1",
                Description = "Durable, deduplicated, encrypted storage of image proofs (signed provenance records).",
            });
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }
        });
        return builder;
    }

    public static WebApplication UseProofStoragePipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSerilogRequestLogging();
        app.UseSwagger();
        app.UseSwaggerUI(options => options.SwaggerEndpoint("/swagger/v1/swagger.json", "ProofStorage v1"));
        app.UseProofStorageSecurity();
        return app;
    }
}
