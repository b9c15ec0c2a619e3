/// An IPv4 CIDR block such as `10.20.0.0/16`.
public struct IPv4Block: Hashable, Sendable, CustomStringConvertible {
    public var address: UInt32
    public var prefixLength: Int

    /// Parses a block whose address is the network address (host bits zero).
    /// A bare address (`10.0.0.5`) is a /32.
    public init?(_ text: String) {
        var text = text
        if !text.contains("/") { text += "/32" }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var address: UInt32 = 0
        for octet in octets {
            guard octet.count <= 3, let value = UInt8(octet) else { return nil }
            address = address << 8 | UInt32(value)
        }
        let hostMask: UInt32 = prefix == 32 ? 0 : UInt32.max >> UInt32(prefix)
        guard address & hostMask == 0 else { return nil }
        self.address = address
        self.prefixLength = prefix
    }

    public var description: String { Self.format(address, prefixLength) }

    public init(address: UInt32, prefixLength: Int) {
        self.address = address
        self.prefixLength = min(max(prefixLength, 0), 32)
    }

    /// `0.0.0.0/0`: every address.
    public static let anywhere = IPv4Block(address: 0, prefixLength: 0)

    /// True if `ip` lies inside the block.
    public func contains(_ ip: UInt32) -> Bool {
        let mask: UInt32 = prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
        return ip & mask == address & mask
    }

    /// True if the two blocks share any address.
    public func overlaps(_ other: IPv4Block) -> Bool {
        contains(other.address) || other.contains(address)
    }

    /// The address at `offset` inside the block, as dotted quad.
    public func address(at offset: UInt32) -> String { Self.format(address &+ offset, 32).replacingOccurrences(of: "/32", with: "") }

    static func format(_ address: UInt32, _ prefix: Int) -> String {
        "\(address >> 24).\((address >> 16) & 255).\((address >> 8) & 255).\(address & 255)/\(prefix)"
    }

    /// Splits the block into `count` equal subnets (/20s inside a /16, as the
    /// AWS VPC wizard does, or smaller when the block is smaller); nil if the
    /// block cannot hold `count` subnets of at least /28 (AWS's smallest).
    public func subnets(count: Int) -> [String]? {
        guard count > 0 else { return [] }
        var bits = 0
        while (1 << bits) < count { bits += 1 }
        let subnetPrefix = max(prefixLength + bits, min(prefixLength + 4, 28))
        guard subnetPrefix <= 28 else { return nil }
        let step = UInt32(1) << UInt32(32 - subnetPrefix)
        return (0..<count).map { IPv4Block.format(address &+ UInt32($0) &* step, subnetPrefix) }
    }
}
