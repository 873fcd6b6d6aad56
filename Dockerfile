# syntax=docker/dockerfile:1
# The ProofStorage service: built with the .NET SDK, run on the ASP.NET runtime image as its non-root 'app' user.
#   docker build -t proofstorage .
#   docker run -p 8080:8080 -e ProofStorage__Encryption__ActiveKeyId=k1 -e ProofStorage__Encryption__Keys__k1=... \
#     -e ProofStorage__Auth__Keys__ops__Hash=sha256:... -e ProofStorage__Auth__Keys__ops__Scopes__0=proofs:read ... proofstorage
# Configuration is environment variables only (docs/configuration.md); docker-compose.yml shows a full stack.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so a code change does not re-download packages. global.json is left
# out on purpose: it pins developers' SDKs, while this image's SDK (whatever 10.0 feature band the tag carries) is
# the one to build with here.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Directory.Build.props src/
COPY src/ProofStorage.Api/ProofStorage.Api.csproj src/ProofStorage.Api/
COPY src/ProofStorage.Core/ProofStorage.Core.csproj src/ProofStorage.Core/
COPY src/ProofStorage.Providers.FileSystem/ProofStorage.Providers.FileSystem.csproj src/ProofStorage.Providers.FileSystem/
COPY src/ProofStorage.Providers.S3/ProofStorage.Providers.S3.csproj src/ProofStorage.Providers.S3/
COPY src/ProofStorage.Storage.Failover/ProofStorage.Storage.Failover.csproj src/ProofStorage.Storage.Failover/
COPY src/ProofStorage.Caching.Redis/ProofStorage.Caching.Redis.csproj src/ProofStorage.Caching.Redis/
COPY src/ProofStorage.Maintenance/ProofStorage.Maintenance.csproj src/ProofStorage.Maintenance/
RUN dotnet restore src/ProofStorage.Api/ProofStorage.Api.csproj
COPY src/ src/
# The OpenAPI document the build writes for the committed contract (openapi/) is not needed in an image.
RUN dotnet publish src/ProofStorage.Api/ProofStorage.Api.csproj -c Release --no-restore -o /app /p:UseAppHost=false /p:OpenApiGenerateDocuments=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# Local state (the filesystem provider's default root, the failover replication log) lives in /data, owned by
# the image's non-root user ($APP_UID, 'app'); a named volume mounted there inherits that ownership.
RUN mkdir -p /data && chown "$APP_UID:$APP_UID" /data
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ProofStorage__DataPath=/data
VOLUME /data
EXPOSE 8080
USER $APP_UID
# The runtime image has no curl or wget (a chiseled one not even a shell), but it has dotnet: the service's own
# 'healthcheck' command GETs /health/live on ASPNETCORE_HTTP_PORTS and exits 0 on 2xx, 1 otherwise.
# Liveness, not readiness: a storage outage must not get a healthy process restarted (compose checks readiness).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["dotnet", "/app/ProofStorage.Api.dll", "healthcheck", "/health/live"]
ENTRYPOINT ["dotnet", "/app/ProofStorage.Api.dll"]
