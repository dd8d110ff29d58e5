using BotSystem.Contracts.Networking;
using System.Net;
using BotSystem.Contracts;
using BotSystem.WebhookManager.Endpoints;

namespace WebhookManager.Tests;

[Collection(WebhookCollection.Name)]
public sealed class SsrfTests(WebhookFixture fixture)
{
    private MockReceiver Receiver => fixture.Receiver;
    private ManagerProcess Manager => fixture.Manager;

    public static TheoryData<string> RefusedAddresses =>
    [
        "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "100.64.0.1", "100.127.255.255", "169.254.1.1", "169.254.169.254", "168.63.129.16", "100.100.100.200", "224.0.0.1",
        "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.51.100.7", "203.0.113.9", "192.0.0.170", "198.18.0.1",
        "::", "::1", "fe80::1", "fec0::1", "fc00::1", "fd12:3456::1", "fd00:ec2::254", "ff02::1", "2001:db8::1", "3fff::1", "100::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::ffff:0:127.0.0.1", "::ffff:0:a9fe:a9fe",
        "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2002:c0a8:101::1",
        "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:0:7f00:1::1",
    ];

    [Theory]
    [MemberData(nameof(RefusedAddresses))]
    public void Address_that_is_not_public_is_refused(string address) =>
        Assert.NotNull(AddressPolicy.RefusalReason(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("::ffff:0:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Public_address_is_allowed_in_every_form(string address) =>
        Assert.Null(AddressPolicy.RefusalReason(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::1]")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("[::ffff:7f00:1]")]
    [InlineData("[64:ff9b::7f00:1]")]
    [InlineData("[2002:7f00:1::]")]
    [InlineData("169.254.169.254")]
    [InlineData("10.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("2130706433")]
    [InlineData("0x7f.1")]
    public async Task Delivery_to_an_internal_address_in_any_spelling_is_refused_at_dial_time_and_dies(string host)
    {
        var id = await Manager.DeliverAsync($"http://{host}:{Receiver.Port}/webhook", clientId: "untrusted");

        var view = await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);

        var attempt = Assert.Single(ManagerProcess.History(view));
        Assert.StartsWith("Destination refused", (string)attempt["error"]!);
        Assert.Empty(await Receiver.DeliveriesAsync(id));
    }

    [Fact]
    public async Task Delivery_to_a_host_longer_than_any_dns_name_is_refused_at_dial_time_and_dies()
    {
        var host = string.Join('.', Enumerable.Repeat(new string('a', 60), 5));
        var id = await Manager.DeliverAsync($"http://{host}:{Receiver.Port}/webhook", clientId: "untrusted");

        var view = await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);

        var attempt = Assert.Single(ManagerProcess.History(view));
        Assert.StartsWith("Destination refused", (string)attempt["error"]!);
    }

    [Fact]
    public async Task A_host_on_the_clients_allowlist_is_reached_even_though_it_is_internal()
    {
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.1"), clientId: "rotating");

        await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);

        // The allowlist is the client's own: the same host is refused for a client without it.
        var refused = await Manager.DeliverAsync(Receiver.Url("127.0.0.1"), clientId: "untrusted");
        await Manager.WaitForStatusAsync(refused, DeliveryStatus.Dead);
    }

    [Fact]
    public async Task A_client_without_a_secret_gets_no_unsigned_request()
    {
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.1"), clientId: "unsigned");

        var view = await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);

        Assert.Contains("No webhook secret", (string)view["delivery"]!["deadReason"]!);
        Assert.Empty(await Receiver.DeliveriesAsync(id));
    }
}
