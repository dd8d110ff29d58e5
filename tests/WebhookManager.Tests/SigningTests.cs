using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace WebhookManager.Tests;

[Collection(WebhookCollection.Name)]
public sealed class SigningTests(WebhookFixture fixture)
{
    private MockReceiver Receiver => fixture.Receiver;
    private ManagerProcess Manager => fixture.Manager;

    [Fact]
    public async Task Delivered_request_carries_standard_webhook_headers_that_the_receiver_and_the_reference_library_accept()
    {
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.1"));
        var view = await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);

        var received = Assert.Single(await Receiver.DeliveriesAsync(id))!.AsObject();
        var headers = Headers(received);
        Assert.True((bool)received["signatureValid"]!, received.ToJsonString());
        Assert.Equal(id, headers["webhook-id"]);
        Assert.Equal("BotSystem-Webhooks/1.0", headers["user-agent"]);
        Assert.StartsWith("application/json", headers["content-type"]);
        Assert.InRange(long.Parse(headers["webhook-timestamp"]), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal((string)view["body"]!, (string)received["body"]!);

        var (valid, output) = await ReferenceVerifier.VerifyAsync(TestSecrets.Receiver, headers, (string)received["body"]!);
        Assert.True(valid, output);
    }

    [Fact]
    public async Task During_a_secret_rotation_the_request_carries_one_signature_per_secret_each_valid_alone()
    {
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.1"), clientId: "rotating");
        await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);

        var received = Assert.Single(await Receiver.DeliveriesAsync(id))!.AsObject();
        var headers = Headers(received);
        Assert.Equal(2, headers["webhook-signature"].Split(' ').Length);
        foreach (var secret in new[] { TestSecrets.Retired, TestSecrets.Receiver })
        {
            var (valid, output) = await ReferenceVerifier.VerifyAsync(secret, headers, (string)received["body"]!);
            Assert.True(valid, output);
        }
    }

    [Fact]
    public async Task Tampered_body_wrong_secret_and_old_timestamp_are_rejected_by_the_receiver_and_the_reference_library()
    {
        const string body = """{"type":"bot.completed","data":{"jobId":"j1"}}""";
        var now = DateTimeOffset.UtcNow;
        var wrongSecret = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("not-the-receiver-secret"));
        (string Case, string Id, DateTimeOffset Time, string Secret, string SentBody, string? Timestamp)[] cases =
        [
            ("tampered body", "msg_tampered", now, TestSecrets.Receiver, body.Replace("j1", "j2"), null),
            ("wrong secret", "msg_wrong_secret", now, wrongSecret, body, null),
            ("old timestamp", "msg_old", now.AddMinutes(-6), TestSecrets.Receiver, body, null),
            // Timestamps past the years a date holds, signed as they are sent.
            ("timestamp in the year 10000", "msg_year_10000", now, TestSecrets.Receiver, body, "253402300800"),
            ("timestamp of the least long", "msg_least_long", now, TestSecrets.Receiver, body, long.MinValue.ToString()),
            ("timestamp of the greatest long", "msg_greatest_long", now, TestSecrets.Receiver, body, long.MaxValue.ToString()),
        ];
        foreach (var (name, id, time, secret, sentBody, timestamp) in cases)
        {
            var headers = new Dictionary<string, string>
            {
                ["webhook-id"] = id,
                ["webhook-timestamp"] = timestamp ?? time.ToUnixTimeSeconds().ToString(),
                ["webhook-signature"] = timestamp is null ? StandardWebhooks.Sign(id, time, body, secret) : SignAt(id, timestamp, body, secret),
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook") { Content = new StringContent(sentBody, Encoding.UTF8, "application/json") };
            foreach (var (header, value) in headers)
            {
                request.Headers.Add(header, value);
            }
            using var response = await Receiver.Http.SendAsync(request);
            Assert.True(401 == (int)response.StatusCode, $"{name}: receiver answered {(int)response.StatusCode}");
            Assert.False((bool)Assert.Single(await Receiver.DeliveriesAsync(id))!["signatureValid"]!, name);

            var (valid, output) = await ReferenceVerifier.VerifyAsync(TestSecrets.Receiver, headers, sentBody);
            Assert.False(valid, $"{name}: the reference library accepted it: {output}");
        }
    }

    private static Dictionary<string, string> Headers(JsonObject received) =>
        received["headers"]!.AsObject().ToDictionary(h => h.Key, h => (string)h.Value!);

    /// <summary>A <c>v1</c> signature over a timestamp as written, which <see cref="StandardWebhooks.Sign"/> cannot take past the year 9999.</summary>
    private static string SignAt(string id, string timestamp, string body, string secret) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(StandardWebhooks.DecodeSecret(secret), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
}
