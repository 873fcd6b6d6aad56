using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProofStorage.Benchmarks.Corpus;

/// <summary>
/// Generates proofs shaped like the JSON of a C2PA manifest store as c2patool / c2pa-rs print it: an active
/// manifest with its claim (hashed assertion references), assertions (<c>c2pa.actions.v2</c>, <c>c2pa.hash.data</c>,
/// EXIF, CreativeWork), ingredients (each with its own claim summary, hashes and validation status), signature
/// info, and the signature itself as base64 of a real-shaped COSE_Sign1 (CBOR) whose x5chain holds real DER
/// certificates (ECDSA P-256 leaf and intermediate, as C2PA signers ship them). Sizes grow by adding ingredients
/// and actions, as real composites do; the 1 MB class carries ingredient thumbnails (high-entropy JPEG-like bytes).
/// </summary>
/// <remarks>Seeded: the same seed gives the same corpus, except certificate/signature bytes (fresh keys per run).</remarks>
internal sealed class C2paProofGenerator
{
    private static readonly string[] Actions =
    [
        "c2pa.created", "c2pa.opened", "c2pa.color_adjustments", "c2pa.cropped", "c2pa.resized", "c2pa.edited",
        "c2pa.filtered", "c2pa.placed", "c2pa.converted", "c2pa.published",
    ];

    private static readonly string[] Agents =
    [
        "Adobe Photoshop 26.1 (Macintosh)", "Leica M11-P firmware 2.0.1", "ProofSign camera agent 3.4.0",
        "Lightroom Classic 14.0", "c2pa-rs 0.49.2", "GIMP 3.0.2",
    ];

    private static readonly string[] Titles = ["IMG_0421.jpg", "DSC04518.ARW", "L1004711.DNG", "export-final.jpg", "composite_v3.psd", "press-photo.jpg"];

    // c2patool prints '+' and '/' in base64 as they are.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Random _random;
    private readonly byte[] _leafDer;
    private readonly byte[] _intermediateDer;

    public C2paProofGenerator(int seed)
    {
        _random = new Random(seed);
        (_leafDer, _intermediateDer) = CreateChain();
    }

    /// <summary>A proof of roughly <paramref name="targetBytes"/> UTF-8 bytes (never smaller than the minimal manifest).</summary>
    public byte[] Generate(int targetBytes)
    {
        var withChain = targetBytes >= 3 * 1024;
        var manifestId = Urn();
        var ingredients = new JsonArray();
        var actions = new JsonArray { Action("c2pa.created", 0) };

        while (true)
        {
            var proof = Manifest(manifestId, actions, ingredients, withChain);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(proof, JsonOptions);
            if (bytes.Length >= targetBytes * 0.92)
            {
                return bytes;
            }

            var gap = targetBytes - bytes.Length;
            if (gap < 700)
            {
                actions.Add(Action(Actions[_random.Next(Actions.Length)], actions.Count));
            }
            else
            {
                ingredients.Add(Ingredient());
            }
        }
    }

    /// <summary>A fresh random image hash (64 lower-case hex characters).</summary>
    public string ImageHash()
    {
        Span<byte> bytes = stackalloc byte[32];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private JsonObject Manifest(string manifestId, JsonArray actions, JsonArray ingredients, bool withChain)
    {
        // Small proofs (a capture signed on device) carry actions and the data hash only, and the leaf certificate.
        var assertions = new JsonArray
        {
            new JsonObject { ["label"] = "c2pa.actions.v2", ["data"] = new JsonObject { ["actions"] = actions.DeepClone() } },
            new JsonObject
            {
                ["label"] = "c2pa.hash.data",
                ["data"] = new JsonObject
                {
                    ["exclusions"] = new JsonArray { new JsonObject { ["start"] = 20, ["length"] = _random.Next(20_000, 90_000) } },
                    ["name"] = "jumbf manifest",
                    ["alg"] = "sha256",
                    ["hash"] = B64(32),
                    ["pad"] = Convert.ToBase64String(new byte[_random.Next(2, 12)]),
                },
            },
        };
        if (withChain)
        {
            assertions.Add(new JsonObject
            {
                ["label"] = "stds.exif",
                ["data"] = new JsonObject
                {
                    ["@context"] = new JsonObject { ["exif"] = "http://ns.adobe.com/exif/1.0/", ["tiff"] = "http://ns.adobe.com/tiff/1.0/" },
                    ["exif:DateTimeOriginal"] = Timestamp(),
                    ["exif:ExposureTime"] = $"1/{_random.Next(30, 4000)}",
                    ["exif:FNumber"] = Math.Round(1.4 + _random.NextDouble() * 14, 1),
                    ["exif:FocalLength"] = _random.Next(14, 400),
                    ["exif:ISOSpeedRatings"] = _random.Next(1, 64) * 100,
                    ["exif:GPSLatitude"] = $"{_random.Next(0, 89)},{_random.Next(0, 59)}.{_random.Next(1000, 9999)}N",
                    ["exif:GPSLongitude"] = $"{_random.Next(0, 179)},{_random.Next(0, 59)}.{_random.Next(1000, 9999)}E",
                    ["tiff:Make"] = "Leica Camera AG",
                    ["tiff:Model"] = "LEICA M11-P",
                },
            });
            assertions.Add(new JsonObject
            {
                ["label"] = "stds.schema-org.CreativeWork",
                ["data"] = new JsonObject
                {
                    ["@context"] = "https://schema.org",
                    ["@type"] = "CreativeWork",
                    ["author"] = new JsonArray { new JsonObject { ["@type"] = "Person", ["name"] = $"Photographer {_random.Next(1, 5000)}" } },
                    ["copyrightNotice"] = $"© 2026 Agency {_random.Next(1, 300)}",
                },
            });
        }

        var claimAssertions = new JsonArray();
        foreach (var assertion in assertions)
        {
            claimAssertions.Add(new JsonObject { ["url"] = $"self#jumbf=c2pa.assertions/{assertion!["label"]!.GetValue<string>()}", ["hash"] = B64(32) });
        }

        for (var i = 0; i < ingredients.Count; i++)
        {
            claimAssertions.Add(new JsonObject { ["url"] = $"self#jumbf=c2pa.assertions/c2pa.ingredient.v3__{i}", ["hash"] = B64(32) });
        }

        var manifest = new JsonObject
        {
            ["claim_generator"] = "ProofSign/3.4.0 c2pa-rs/0.49.2",
            ["claim_generator_info"] = new JsonArray { new JsonObject { ["name"] = "ProofSign", ["version"] = "3.4.0" } },
            ["title"] = Titles[_random.Next(Titles.Length)],
            ["format"] = "image/jpeg",
            ["instance_id"] = $"xmp:iid:{new Guid(RandomBytes(16))}",
            ["claim"] = new JsonObject
            {
                ["dc:format"] = "image/jpeg",
                ["instanceID"] = $"xmp:iid:{new Guid(RandomBytes(16))}",
                ["alg"] = "sha256",
                ["signature"] = "self#jumbf=c2pa.signature",
                ["created_assertions"] = claimAssertions,
            },
            ["assertions"] = assertions,
            ["ingredients"] = ingredients.DeepClone(),
            ["signature_info"] = new JsonObject
            {
                ["alg"] = "Es256",
                ["issuer"] = "ProofStorage Perf Signing CA",
                ["common_name"] = "ProofSign Device Signer",
                ["cert_serial_number"] = _random.NextInt64(long.MaxValue / 2, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["time"] = Timestamp(),
            },
            // The COSE_Sign1 carries the certificate chain (x5chain) and, above the smallest class, an RFC 3161 timestamp.
            ["signature"] = new JsonObject { ["cose_sign1"] = Convert.ToBase64String(CoseSign1(withChain)) },
        };

        return new JsonObject
        {
            ["active_manifest"] = manifestId,
            ["manifests"] = new JsonObject { [manifestId] = manifest },
            ["validation_state"] = "Valid",
        };
    }

    private JsonObject Action(string action, int index) => new()
    {
        ["action"] = action,
        ["when"] = Timestamp(),
        ["softwareAgent"] = new JsonObject { ["name"] = Agents[_random.Next(Agents.Length)] },
        ["digitalSourceType"] = index == 0 ? "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture" : null,
        ["parameters"] = new JsonObject
        {
            ["ingredientIds"] = new JsonArray { $"xmp:iid:{new Guid(RandomBytes(16))}" },
            ["description"] = $"{action} step {index}",
        },
    };

    private JsonObject Ingredient()
    {
        var ingredient = new JsonObject
        {
            ["title"] = Titles[_random.Next(Titles.Length)],
            ["format"] = "image/jpeg",
            ["document_id"] = $"xmp:did:{new Guid(RandomBytes(16))}",
            ["instance_id"] = $"xmp:iid:{new Guid(RandomBytes(16))}",
            ["relationship"] = _random.Next(4) == 0 ? "parentOf" : "componentOf",
            ["active_manifest"] = Urn(),
            ["hash"] = B64(32),
            ["c2pa_manifest"] = new JsonObject { ["url"] = $"self#jumbf=/c2pa/{Urn()}", ["alg"] = "sha256", ["hash"] = B64(32) },
            ["validation_status"] = new JsonArray
            {
                new JsonObject { ["code"] = "claimSignature.validated", ["url"] = $"self#jumbf=/c2pa/{Urn()}/c2pa.signature", ["explanation"] = "claim signature valid" },
                new JsonObject { ["code"] = "signingCredential.trusted", ["url"] = $"self#jumbf=/c2pa/{Urn()}/c2pa.signature", ["explanation"] = "signing certificate trusted" },
                new JsonObject { ["code"] = "assertion.dataHash.match", ["url"] = $"self#jumbf=/c2pa/{Urn()}/c2pa.assertions/c2pa.hash.data", ["explanation"] = "data hash valid" },
            },
            ["signature_info"] = new JsonObject { ["alg"] = "Es256", ["issuer"] = "ProofStorage Perf Signing CA", ["time"] = Timestamp() },
        };
        // As c2patool prints it: the thumbnail is a reference into the JUMBF store, not inline bytes.
        ingredient["thumbnail"] = new JsonObject { ["format"] = "image/jpeg", ["identifier"] = "self#jumbf=c2pa.assertions/c2pa.thumbnail.ingredient.jpeg" };
        return ingredient;
    }

    /// <summary>COSE_Sign1 (tag 18): [protected {1: -7 (ES256)}, unprotected {33: x5chain, "sigTst": ...}, nil, signature(64)].</summary>
    private byte[] CoseSign1(bool withChain)
    {
        var cbor = new List<byte>();
        Head(cbor, 6, 18);
        Head(cbor, 4, 4);
        byte[] protectedHeader = [0xA1, 0x01, 0x26];
        Head(cbor, 2, protectedHeader.Length);
        cbor.AddRange(protectedHeader);
        Head(cbor, 5, withChain ? 2 : 1);
        Head(cbor, 0, 33);
        if (withChain)
        {
            Head(cbor, 4, 2);
            Bytes(cbor, _leafDer);
            Bytes(cbor, _intermediateDer);
        }
        else
        {
            Bytes(cbor, _leafDer);
        }

        if (withChain)
        {
            // RFC 3161 token: CMS SignedData holding the TSA's certificate, signed attributes and its signature.
            Text(cbor, "sigTst");
            Bytes(cbor, [.. _intermediateDer, .. RandomBytes(180)]);
        }

        cbor.Add(0xF6); // payload: nil (detached)
        Bytes(cbor, RandomBytes(64));
        return [.. cbor];
    }

    private static void Head(List<byte> cbor, int major, int value)
    {
        var type = (byte)(major << 5);
        if (value < 24)
        {
            cbor.Add((byte)(type | value));
        }
        else if (value < 256)
        {
            cbor.Add((byte)(type | 24));
            cbor.Add((byte)value);
        }
        else
        {
            cbor.Add((byte)(type | 25));
            cbor.Add((byte)(value >> 8));
            cbor.Add((byte)value);
        }
    }

    private static void Bytes(List<byte> cbor, byte[] bytes)
    {
        Head(cbor, 2, bytes.Length);
        cbor.AddRange(bytes);
    }

    private static void Text(List<byte> cbor, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        Head(cbor, 3, bytes.Length);
        cbor.AddRange(bytes);
    }

    private static (byte[] Leaf, byte[] Intermediate) CreateChain()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;

        var rootRequest = new CertificateRequest("CN=ProofStorage Perf Root CA, O=ProofStorage Perf, C=DE", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(now.AddYears(-1), now.AddYears(10));

        var intermediateRequest = new CertificateRequest("CN=ProofStorage Perf Signing CA, OU=Content Credentials, O=ProofStorage Perf, C=DE", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        using var intermediate = intermediateRequest.Create(root, now.AddDays(-30), now.AddYears(5), [1, 2, 3, 4, 5, 6, 7, 8]);
        using var intermediateWithKey = intermediate.CopyWithPrivateKey(intermediateKey);

        var leafRequest = new CertificateRequest("CN=ProofSign Device Signer, OU=Newsroom, O=ProofStorage Perf Agency, L=Berlin, C=DE", leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.36"), new Oid("1.3.6.1.5.5.7.3.4")], false));
        leafRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(leafRequest.PublicKey, false));
        using var leaf = leafRequest.Create(intermediateWithKey, now.AddDays(-1), now.AddYears(1), [9, 8, 7, 6, 5, 4, 3, 2]);
        return (leaf.RawData, intermediate.RawData);
    }

    private string Urn() => $"urn:c2pa:{new Guid(RandomBytes(16))}";

    private string Timestamp() =>
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(_random.Next(0, 300 * 86400)).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", System.Globalization.CultureInfo.InvariantCulture);

    private string B64(int bytes) => Convert.ToBase64String(RandomBytes(bytes));

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
