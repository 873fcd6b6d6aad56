using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace ProofStorage.Testing;

/// <summary>
/// A real C2PA implementation for tests: the Node scripts in tests/c2pa (c2pa-rs compiled to WebAssembly signs; c2pa-ts
/// and c2pa-rs verify), run as child processes with a bounded time each. Installed by <c>scripts/install-test-deps.sh</c>;
/// when it is missing, <see cref="Locate"/> fails with what to run, so a test never silently skips.
/// </summary>
public sealed class C2paTool
{
    /// <summary>How long one sign or verify may take on a loaded two-core machine (loading the 9 MB WebAssembly module included).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private C2paTool(string directory) => Directory = directory;

    /// <summary>The tests/c2pa folder.</summary>
    public string Directory { get; }

    /// <summary>Finds tests/c2pa above the test binaries and checks its packages are installed.</summary>
    public static C2paTool Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "c2pa");
            if (!File.Exists(Path.Combine(candidate, "sign.mjs")))
            {
                continue;
            }

            foreach (var installed in new[] { "@contentauth/c2pa-wasm/pkg/c2pa_bg.wasm", "@trustnxt/c2pa-ts/package.json" })
            {
                if (!File.Exists(Path.Combine(candidate, "node_modules", installed)))
                {
                    throw new InvalidOperationException(
                        $"The C2PA test toolchain is not installed ({Path.Combine(candidate, "node_modules", installed)} is missing). " +
                        "Run `bash scripts/install-test-deps.sh` from the repository root (it runs `npm ci` in tests/c2pa; Node 20+ needed).");
                }
            }

            return new C2paTool(candidate);
        }

        throw new InvalidOperationException("tests/c2pa/sign.mjs not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Signs a generated PNG: writes the asset (which references <paramref name="remoteUrl"/> and embeds no manifest) and
    /// its manifest store into <paramref name="folder"/>.
    /// </summary>
    public async Task<C2paSignedAsset> SignAsync(C2paTestSigner signer, Uri remoteUrl, string folder, C2paSignOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(remoteUrl);
        options ??= new C2paSignOptions();
        System.IO.Directory.CreateDirectory(folder);
        var asset = Path.Combine(folder, "asset.png");
        var store = Path.Combine(folder, "store.c2pa");
        List<string> args =
        [
            "--cert", signer.ChainPath, "--key", signer.KeyPath, "--remote-url", remoteUrl.AbsoluteUri,
            "--out-asset", asset, "--out-store", store, "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
        ];
        if (options.SoftBinding is { } binding)
        {
            args.AddRange(["--soft-binding-alg", binding.Alg, "--soft-binding-value", binding.Value]);
        }

        if (options.WithParent)
        {
            args.Add("--with-parent");
        }

        if (options.Label is { } label)
        {
            args.AddRange(["--label", label]);
        }

        var output = await RunAsync("sign.mjs", args);
        var printed = Deserialize<SignOutput>(output, "sign.mjs");
        return new C2paSignedAsset(asset, store,
            printed.ActiveManifest ?? throw new InvalidOperationException("sign.mjs printed no active manifest: " + output),
            printed.ParentManifest);
    }

    /// <summary>
    /// Validates <paramref name="assetPath"/> against its manifest store fetched from <paramref name="storeUrl"/> (default:
    /// the URL the asset references) by c2pa-ts, and through the asset's own reference by c2pa-rs.
    /// </summary>
    public async Task<C2paVerdict> VerifyAsync(string assetPath, Uri? storeUrl = null)
    {
        List<string> args = ["--asset", assetPath];
        if (storeUrl is not null)
        {
            args.AddRange(["--store-url", storeUrl.AbsoluteUri]);
        }

        var output = await RunAsync("verify.mjs", args);
        return Deserialize<C2paVerdict>(output, "verify.mjs") with { Json = output.Trim() };
    }

    private static T Deserialize<T>(string output, string script)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(output, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{script} printed something other than its JSON result: {output}", e);
        }
    }

    private async Task<string> RunAsync(string script, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        start.ArgumentList.Add(Path.Combine(Directory, script));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("node is not on PATH: the C2PA tests need Node 20+ (and `bash scripts/install-test-deps.sh`).", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException($"node {script} did not finish within {Timeout.TotalSeconds} s; stderr: {await stderr}");
            }

            var output = await stdout;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"node {script} {string.Join(' ', start.ArgumentList.Skip(1))} exited with {process.ExitCode}: {await stderr}{output}");
            }

            return output;
        }
    }

    private sealed record SignOutput(string? ActiveManifest, string? ParentManifest);
}

/// <summary>Options of <see cref="C2paTool.SignAsync"/>.</summary>
public sealed record C2paSignOptions
{
    /// <summary>Varies the generated image (different seeds, different pixels and so a different hard binding).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Adds a c2pa.soft-binding assertion with one block holding this value (c2pa-rs writes it as CBOR text).</summary>
    public (string Alg, string Value)? SoftBinding { get; init; }

    /// <summary>First signs a parent image with an embedded manifest and uses it as the parentOf ingredient: the store then holds two manifests.</summary>
    public bool WithParent { get; init; }

    /// <summary>
    /// The active manifest's label (<c>urn:c2pa:UUID</c>), chosen before signing so the remote URL can name it (a repository's
    /// <c>…/manifests/{label}</c>); c2pa-rs makes one up when null.
    /// </summary>
    public string? Label { get; init; }
}

/// <summary>What <see cref="C2paTool.SignAsync"/> wrote.</summary>
/// <param name="AssetPath">The signed PNG, which references the remote manifest URL.</param>
/// <param name="StorePath">The manifest store (application/c2pa) the URL is meant to serve.</param>
/// <param name="ActiveManifest">The store's active manifest label, as c2pa-rs reads it back from the written store.</param>
/// <param name="ParentManifest">With <see cref="C2paSignOptions.WithParent"/>, the parent's manifest label.</param>
public sealed record C2paSignedAsset(string AssetPath, string StorePath, string ActiveManifest, string? ParentManifest)
{
    public byte[] ReadStore() => File.ReadAllBytes(StorePath);
}

/// <summary>The verdict verify.mjs prints (see that script for the rules); <see cref="Json"/> is the raw output, for assertion messages.</summary>
public sealed record C2paVerdict(
    bool Valid,
    string? ActiveManifest,
    string? RemoteUrl,
    string? StoreUrl,
    C2paFetch? Fetch,
    IReadOnlyList<string> Tolerated,
    IReadOnlyList<C2paReaderVerdict> Readers,
    IReadOnlyDictionary<string, string> NotRun)
{
    public string Json { get; init; } = string.Empty;

    public C2paReaderVerdict Reader(string name) =>
        Readers.SingleOrDefault(r => r.Name == name) ?? throw new InvalidOperationException($"No verdict from {name}: {Json}");

    public override string ToString() => Json;
}

/// <summary>How the store was served to c2pa-ts.</summary>
public sealed record C2paFetch(int Status, string? ContentType, int Bytes);

/// <summary>One reader's findings: status codes by kind, and whether the claim signature and the hard binding held.</summary>
public sealed record C2paReaderVerdict(
    string Name,
    string? ActiveManifest,
    bool SignatureValid,
    bool HardBindingValid,
    IReadOnlyList<string> Success,
    IReadOnlyList<string> Informational,
    IReadOnlyList<string> Failure,
    string? Error);

/// <summary>
/// An ES256 test CA and signing certificate made at test time (never committed): the chain (signer first) and the signer's
/// PKCS#8 key as PEM files. The certificate has the profile C2PA validators check (digitalSignature key usage, the
/// emailProtection extended key usage, not a CA, key identifiers); it chains to no trust anchor, so validators report
/// signingCredential.untrusted.
/// </summary>
public sealed class C2paTestSigner
{
    private C2paTestSigner(string chainPath, string keyPath)
    {
        ChainPath = chainPath;
        KeyPath = keyPath;
    }

    public string ChainPath { get; }

    public string KeyPath { get; }

    /// <summary>Creates the CA and the signer, valid from an hour ago for a day, and writes their PEM files into <paramref name="folder"/>.</summary>
    public static C2paTestSigner Create(string folder)
    {
        System.IO.Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=ProofStorage test CA, O=ProofStorage tests", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));

        using var signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ProofStorage test signer, O=ProofStorage tests", signerKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.4", "emailProtection")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var certificate = request.Create(ca, now.AddHours(-1), now.AddDays(1), serial);

        var chainPath = Path.Combine(folder, "signer-chain.pem");
        var keyPath = Path.Combine(folder, "signer-key.pem");
        File.WriteAllText(chainPath, certificate.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n", Encoding.ASCII);
        File.WriteAllText(keyPath, signerKey.ExportPkcs8PrivateKeyPem(), Encoding.ASCII);
        return new C2paTestSigner(chainPath, keyPath);
    }
}
