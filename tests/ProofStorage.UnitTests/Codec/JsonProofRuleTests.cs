using System.Text;
using System.Text.Json;
using ProofStorage.Core.Codec;

namespace ProofStorage.UnitTests.Codec;

/// <summary>
/// The proof rule applied on a parser's walk of a larger body agrees with the rule applied on the proof's own bytes, for
/// every nesting around the limit, and observes every object and name on the way.
/// </summary>
public sealed class JsonProofRuleTests
{
    public static TheoryData<string> Proofs => new()
    {
        "1", "\"s\"", "null", "{}", "[]", "{\"a\":1}", "[1,[2]]", "{\"a\":{\"b\":[1]}}", "[[[]]]", "[[[[1]]]]", "{\"a\":[{\"b\":{}}]}",
        "[{\"a\":[{\"b\":[{}]}]}]", "[1,{\"x\":[[[2]]]},3]",
    };

    [Theory]
    [MemberData(nameof(Proofs))]
    public void Walk_InsideABody_AgreesWithTheRuleOnTheProofsOwnBytes(string proof)
    {
        for (var maxDepth = 1; maxDepth <= 6; maxDepth++)
        {
            var body = Encoding.UTF8.GetBytes("{\"items\":[{\"proof\":" + proof + ",\"after\":true}]}");
            var reader = new Utf8JsonReader(body);
            while (!(reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("proof"u8)))
            {
                reader.Read();
            }

            reader.Read();
            var observer = new Recorder();
            var walked = JsonProofRule.Walk(ref reader, observer, body, maxDepth);

            var expected = JsonProofRule.IsSingleValue(Encoding.UTF8.GetBytes(proof), maxDepth);
            Assert.True(expected == walked.HasValue, $"{proof} at max depth {maxDepth}: the walk says {walked.HasValue}, the rule {expected}");
            if (walked is { } checkedProof)
            {
                Assert.Equal(proof, Encoding.UTF8.GetString(checkedProof.Bytes.Span));
            }

            Assert.Equal(proof.Count(c => c == '{'), observer.Entered);
            Assert.Equal(observer.Entered, observer.Exited);
            Assert.Equal(proof.Count(c => c == ':'), observer.Names);
            // The reader is left on the value's last token: the body goes on from there.
            Assert.True(reader.Read());
            Assert.Equal(JsonTokenType.PropertyName, reader.TokenType);
            Assert.True(reader.ValueTextEquals("after"u8));
        }
    }

    private sealed class Recorder : IJsonWalkObserver
    {
        public int Entered { get; private set; }

        public int Exited { get; private set; }

        public int Names { get; private set; }

        public void EnterObject() => Entered++;

        public void ExitObject() => Exited++;

        public void PropertyName(ref Utf8JsonReader reader) => Names++;
    }
}
