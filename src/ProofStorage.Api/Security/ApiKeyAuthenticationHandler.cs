using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Http;

namespace ProofStorage.Api.Security;

/// <summary>
/// Authenticates <c>X-Api-Key: &lt;key&gt;</c> or <c>Authorization: ApiKey &lt;key&gt;</c>. No key → anonymous (the
/// policy then decides); an unknown key → failure (401 if the endpoint needs a key). Challenges and
/// forbiddances are answered with ProblemDetails; the key itself is never logged or echoed.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IProblemDetailsService problemDetails) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.Disabled)
        {
            return Task.FromResult(Success("development", ProofStorageScopes.All));
        }

        var presented = ReadKey(Request.Headers);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Match(presented) is not { } match)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        return Task.FromResult(Success(match.Name, match.Scopes));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} realm=\"ProofStorage\", header=\"{HeaderName}\"";
        return ProblemCatalogue.WriteAsync(problemDetails, Context, ProblemCatalogue.Unauthorized,
            $"Send a valid API key in the {HeaderName} header (or 'Authorization: {SchemeName} <key>'). Nothing was changed.").AsTask();
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        return ProblemCatalogue.WriteAsync(problemDetails, Context, ProblemCatalogue.Forbidden,
            "This API key lacks the scope this operation needs. Nothing was changed.").AsTask();
    }

    private static AuthenticateResult Success(string name, IEnumerable<string> scopes) =>
        AuthenticateResult.Success(new AuthenticationTicket(CreatePrincipal(name, scopes), SchemeName));

    /// <summary>The principal a key authenticates as: its name and one claim per scope.</summary>
    internal static ClaimsPrincipal CreatePrincipal(string name, IEnumerable<string> scopes)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(scopes.Select(s => new Claim(ProofStorageScopes.ClaimType, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }

    internal static string? ReadKey(IHeaderDictionary headers)
    {
        var header = headers[HeaderName];
        if (header.Count > 0)
        {
            return header.Count == 1 ? header[0]?.Trim() ?? string.Empty : string.Empty;
        }

        var authorization = headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value
            && value.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            return value[(SchemeName.Length + 1)..].Trim();
        }

        return null;
    }
}
