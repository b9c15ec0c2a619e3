import SimCore

/// A TCP connection attempt: answered by whatever listens at the address.
struct ConnectRequest: WorldMessage {}

/// Whatever listens on any address of the topology (a region's, an AZ's, a
/// host's): it accepts every connection that reaches it, so a connect
/// succeeds exactly when the network path is up. `dns-resolve` connects to
/// its answers through it.
struct ListenerProcess: WorldProcess {
    mutating func receive(_ delivery: NetworkDelivery<any WorldMessage>, world: inout World) {
        guard case .request(let call, _, _) = delivery else { return }
        world.reply(to: call, ServiceAnswer.ok("connected"))
    }
}
