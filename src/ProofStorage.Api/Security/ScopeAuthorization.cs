using Microsoft.AspNetCore.Authorization;

namespace ProofStorage.Api.Security;

/// <summary>Needs <paramref name="Scope"/>; reads may also be allowed to anyone by configuration.</summary>
internal sealed record ScopeRequirement(string Scope, bool AnonymousWhenReadsArePublic) : IAuthorizationRequirement;

internal sealed class ScopeAuthorizationHandler(ApiKeyStore keys) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasClaim(ProofStorageScopes.ClaimType, requirement.Scope)
            || (requirement.AnonymousWhenReadsArePublic && keys.AllowAnonymousReads))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
