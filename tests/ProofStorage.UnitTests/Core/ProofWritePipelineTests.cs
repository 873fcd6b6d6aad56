using System.Text;
using Microsoft.Extensions.Time.Testing;
using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.UnitTests.Core;

public sealed class ProofWritePipelineTests
{
    private static readonly ImageHash Hash = ImageHash.Parse(TestKeys.ImageHash("pipeline"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 30, 0, 123, TimeSpan.Zero).AddTicks(4567));
    private readonly ProofEnvelopeCodec _codec = new(TestKeys.Ring());

    [Fact]
    public void Prepare_BuildsTheRecordAndTheEnvelopeForTheProofsObjectKey()
    {
        var pipeline = Pipeline();
        var command = new StoreProofCommand(Hash, "{\"claim\":1}"u8.ToArray(), new Dictionary<string, string> { ["k"] = "v" }, ProofMediaType: "Application/Vnd.Example+JSON");

        var validated = pipeline.Validate(command);
        using var prepared = pipeline.Prepare(validated);

        Assert.Equal(DedupProtocol.ProofIdFor(Hash), prepared.ProofId);
        Assert.Equal(DedupProtocol.ProofKey(prepared.ProofId), prepared.ObjectKey);
        Assert.Equal("application/vnd.example+json", validated.Command.ProofMediaType);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 9, 30, 0, 123, TimeSpan.Zero), prepared.CreatedAt);
        Assert.Equal(validated.RecordLength, prepared.Record.Length);
        var opened = _codec.Open(prepared.Envelope.Span, prepared.ObjectKey, 1 << 20);
        Assert.Equal(prepared.Record.ToArray(), opened.Record);
        Assert.Equal(prepared.Compressed.ToArray(), opened.Compressed);
        Assert.Equal(prepared.ETag, opened.ETag);
        Assert.Equal(ProofRecord.Write(prepared.ProofId, Hash, prepared.CreatedAt, command.Metadata, command.Proof.Span, "application/vnd.example+json"),
            prepared.Record.ToArray());
    }

    [Fact]
    public void Validate_RecordExactlyAtTheLimit_IsAcceptedAndOneByteOverIsNot()
    {
        var command = new StoreProofCommand(Hash, Encoding.UTF8.GetBytes("\"" + new string('x', 3000) + "\""), null);
        var length = Pipeline().Validate(command).RecordLength;

        using var prepared = Pipeline((int)length).Prepare(Pipeline((int)length).Validate(command));
        Assert.Equal(length, prepared.Record.Length);
        var error = Assert.Throws<ProofTooLargeException>(() => Pipeline((int)length - 1).Validate(command));
        Assert.Equal(length, error.Size);
        Assert.Equal(length - 1, error.Limit);
    }

    [Fact]
    public void Validate_RecordOverTheLimit_IsRefusedWithoutBuildingIt()
    {
        var pipeline = Pipeline(maxRecordBytes: 1024 * 1024);
        var command = new StoreProofCommand(Hash, Encoding.UTF8.GetBytes("\"" + new string('x', 4 * 1024 * 1024) + "\""), null);
        pipeline.Validate(new StoreProofCommand(Hash, "1"u8.ToArray(), null)); // warm up: first-call costs are not the proof's

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<ProofTooLargeException>(() => pipeline.Validate(command));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A 4 MiB proof: building its record (or its gzip) would allocate megabytes; refusing it allocates next to nothing.
        Assert.True(allocated < 64 * 1024, $"refusing the proof allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("{\"a\":", "proof")]
    [InlineData("1 2", "proof")]
    [InlineData("[[[[[1]]]]]", "proof")]
    public void Validate_ProofThatIsNotOneValueWithinTheDepth_IsRefusedOnTheProofField(string proof, string field)
    {
        var error = Assert.Throws<ProofValidationException>(() => Pipeline(maxProofDepth: 4).Validate(new StoreProofCommand(Hash, Encoding.UTF8.GetBytes(proof), null)));

        Assert.Equal([field], error.Errors.Keys);
        Assert.Contains("nested at most 4 levels", error.Errors[field][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"a\":1}", "application/c2pa")]
    [InlineData("\"not base64!\"", "application/c2pa")]
    [InlineData("{\"a\":1}", "application/json; charset=utf-8")]
    [InlineData("{\"a\":1}", "json")]
    public void Validate_MediaTypeThatIsMalformedOrDoesNotFit_IsRefusedOnTheMediaTypeField(string proof, string mediaType)
    {
        var command = new StoreProofCommand(Hash, Encoding.UTF8.GetBytes(proof), null, ProofMediaType: mediaType);

        var error = Assert.Throws<ProofValidationException>(() => Pipeline().Validate(command));

        Assert.Equal(["proofMediaType"], error.Errors.Keys);
    }

    [Fact]
    public void RecordLength_EqualsTheWrittenLength_ForMetadataThatNeedsEscaping()
    {
        // Quotes, backslashes, control characters, non-ASCII, astral characters, HTML-sensitive characters, empty strings.
        string[] samples =
        [
            "", "plain", "quote\"d", "back\\slash", "tab\there", "new\nline", "bell\u0007", "nul\0", "é ü ß", "中文", "emoji 😀", "<b>&amp;'</b>",
            "\u2028\u2029", "\u007f\u0080\u009f", "\ufeff", "+/=", new string('x', 300),
        ];
        var random = new Random(20261128);
        var cases = 0;
        for (var i = 0; i < 400; i++)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = random.Next(0, 5);
            for (var j = 0; j < entries; j++)
            {
                metadata[samples[random.Next(samples.Length)] + j] = samples[random.Next(samples.Length)] + RandomText(random);
            }

            var proof = Encoding.UTF8.GetBytes("{\"p\":\"" + RandomText(random).Replace("\\", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal) + "\"}");
            var mediaType = random.Next(3) == 0 ? null : "application/c2pa+json";
            var proofId = DedupProtocol.ProofIdFor(Hash);

            var written = ProofRecord.Write(proofId, Hash, _time.GetUtcNow(), metadata, proof, mediaType);

            Assert.Equal(written.Length, ProofRecord.Length(proofId, Hash, metadata, proof.Length, mediaType));
            cases++;
        }

        Assert.Equal(400, cases);
    }

    private static string RandomText(Random random)
    {
        var chars = new char[random.Next(0, 12)];
        for (var i = 0; i < chars.Length; i++)
        {
            // Mostly printable, some control and non-ASCII BMP characters (surrogates excluded: they come in pairs above).
            chars[i] = random.Next(4) switch
            {
                0 => (char)random.Next(0, 0x20),
                1 => (char)random.Next(0x80, 0xD800),
                _ => (char)random.Next(0x20, 0x7F),
            };
        }

        return new string(chars);
    }

    [Fact]
    public void Validate_ProofCheckedOnTheParsersWalk_IsNotWalkedAgain()
    {
        // Bytes the rule refuses, passed off as checked (only the Core can make a CheckedJsonProof; the unit tests see
        // its internals): accepted, so the pipeline trusted the walk instead of walking again.
        var refused = "{\"a\":"u8.ToArray();
        var command = StoreProofCommand.ForCheckedJson(Hash, new CheckedJsonProof(refused, maxDepth: 64), null, null);

        Assert.Equal(refused, Pipeline().Validate(command).Command.Proof.ToArray());
    }

    [Fact]
    public void Validate_CheckedProof_IsWalkedAgain_WhenTheBytesOrTheLimitDiffer()
    {
        var deep = Encoding.UTF8.GetBytes("[[[[1]]]]");
        var body = Encoding.UTF8.GetBytes("{\"proof\":[[[[1]]]]}");
        var reader = new System.Text.Json.Utf8JsonReader(body);
        reader.Read();
        reader.Read();
        reader.Read();
        var walked = JsonProofRule.Walk(ref reader, new NoObserver(), body, maxDepth: 10)!.Value;
        var command = StoreProofCommand.ForCheckedJson(Hash, walked, null, null);

        // Checked under a looser limit than the store's: walked again, and refused.
        Assert.Throws<ProofValidationException>(() => Pipeline(maxProofDepth: 3).Validate(command));
        Assert.Equal(deep, Pipeline(maxProofDepth: 10).Validate(command).Command.Proof.ToArray());
        // Other bytes than those checked: walked again.
        Assert.Throws<ProofValidationException>(() => Pipeline(maxProofDepth: 10).Validate(command with { Proof = "{"u8.ToArray() }));
    }

    private sealed class NoObserver : IJsonWalkObserver
    {
        public void EnterObject()
        {
        }

        public void ExitObject()
        {
        }

        public void PropertyName(ref System.Text.Json.Utf8JsonReader reader)
        {
        }
    }

    private ProofWritePipeline Pipeline(int maxRecordBytes = 10 * 1024 * 1024, int maxProofDepth = 64) =>
        new(_codec, _time, MsOptions.Create(new ProofStorageOptions { MaxRecordBytes = Math.Max(1024, maxRecordBytes), MaxProofDepth = maxProofDepth }));
}
