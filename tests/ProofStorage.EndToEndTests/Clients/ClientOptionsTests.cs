using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using ProofStorage.Client;
using ProofStorage.Client.Http;

namespace ProofStorage.EndToEndTests.Clients;

/// <summary>The client's options pipeline and the rule of which attempts its resilience handler may repeat (no I/O).</summary>
public sealed class ClientOptionsTests
{
    [Fact]
    public void AddProofStorageClient_WithoutABaseAddress_FailsStartupValidation_NamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddProofStorageClient(o => o.ApiKey = "psk_x");
        using var provider = services.BuildServiceProvider();

        var error = ClientOptionsFailure(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ProofStorageClient:BaseAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddProofStorageClient_TotalTimeoutBelowAttemptTimeout_AndABadKey_FailValidation()
    {
        var services = new ServiceCollection();
        services.AddProofStorageClient(o =>
        {
            o.BaseAddress = new Uri("http://127.0.0.1:1");
            o.ApiKey = "two words";
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.TotalTimeout = TimeSpan.FromSeconds(5);
        });
        using var provider = services.BuildServiceProvider();

        var error = ClientOptionsFailure(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("TotalTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddProofStorageClient_BindsTheConfigurationSection_IntoTheHttpClientAndItsResiliencePipeline()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ProofStorageClient:BaseAddress"] = "https://proofs.internal:8443/base",
            ["ProofStorageClient:ApiKey"] = "psk_configured",
            ["ProofStorageClient:AttemptTimeout"] = "00:00:07",
            ["ProofStorageClient:TotalTimeout"] = "00:00:40",
            ["ProofStorageClient:MaxRetryAttempts"] = "2",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddProofStorageClient();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(ProofStorageClientServiceCollectionExtensions.HttpClientName);
        var resilience = provider.GetRequiredService<IOptionsMonitor<HttpStandardResilienceOptions>>()
            .Get(ProofStorageClientServiceCollectionExtensions.HttpClientName + "-standard");

        Assert.Equal(new Uri("https://proofs.internal:8443/base/"), http.BaseAddress);
        Assert.Equal("psk_configured", Assert.Single(http.DefaultRequestHeaders.GetValues("X-Api-Key")));
        Assert.Equal(TimeSpan.FromSeconds(7), resilience.AttemptTimeout.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(40), resilience.TotalRequestTimeout.Timeout);
        Assert.Equal(2, resilience.Retry.MaxRetryAttempts);
        Assert.True(resilience.Retry.ShouldRetryAfterHeader);
        Assert.True(resilience.CircuitBreaker.SamplingDuration >= TimeSpan.FromSeconds(14));
    }

    /// <summary>The client options' validation failure among those start-up validation reports (the resilience options read them too).</summary>
    private static OptionsValidationException ClientOptionsFailure(Action validate)
    {
        var failure = Assert.ThrowsAny<Exception>(validate);
        var failures = failure is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [failure];
        return failures.OfType<OptionsValidationException>().First(e => e.OptionsType == typeof(ProofStorageClientOptions));
    }

    [Theory]
    [InlineData("GET", false, HttpStatusCode.ServiceUnavailable, true)]
    [InlineData("HEAD", false, HttpStatusCode.TooManyRequests, true)]
    [InlineData("DELETE", false, HttpStatusCode.GatewayTimeout, true)]
    [InlineData("POST", true, HttpStatusCode.ServiceUnavailable, true)]
    [InlineData("POST", false, HttpStatusCode.ServiceUnavailable, false)]
    [InlineData("PATCH", false, HttpStatusCode.ServiceUnavailable, false)]
    [InlineData("GET", false, HttpStatusCode.BadGateway, false)]
    [InlineData("GET", false, HttpStatusCode.BadRequest, false)]
    [InlineData("GET", false, HttpStatusCode.Forbidden, false)]
    [InlineData("GET", false, HttpStatusCode.OK, false)]
    public async Task Retries_OnlyRepeatsCallsSafeToRepeat_AfterTransientAnswers(string method, bool markedIdempotent, HttpStatusCode status, bool retried)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "http://127.0.0.1/v1/proofs");
        if (markedIdempotent)
        {
            Retries.MarkIdempotent(request);
        }

        using var response = new HttpResponseMessage(status) { RequestMessage = request };
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            var args = new Polly.Retry.RetryPredicateArguments<HttpResponseMessage>(context, Outcome.FromResult(response), 0);

            Assert.Equal(retried, await Retries.ShouldRetry(args));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    [Fact]
    public async Task Retries_ANoAnswerFailure_OfAnUnmarkedPost_IsNotRepeated()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/v1/proofs");
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            context.SetRequestMessage(request);
            var outcome = Outcome.FromException<HttpResponseMessage>(new HttpRequestException("connection refused"));

            Assert.False(await Retries.ShouldRetry(new Polly.Retry.RetryPredicateArguments<HttpResponseMessage>(context, outcome, 0)));
            Retries.MarkIdempotent(request);
            Assert.True(await Retries.ShouldRetry(new Polly.Retry.RetryPredicateArguments<HttpResponseMessage>(context, outcome, 0)));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
