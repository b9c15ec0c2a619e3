#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded, reproducible random number generator with named child streams.
///
/// The generator is xoshiro256** (Blackman and Vigna), seeded through
/// SplitMix64 as its authors recommend. ``stream(_:)`` derives an independent
/// generator from this one's seed and a name, without consuming any of this
/// generator's draws: adding a component with its own stream never perturbs
/// the draws of the others, and the same seed gives the same numbers in every
/// process and on every platform.
///
/// Inside the simulation, never draw from the system's generator or from an
/// unseeded random call; pass a `SimRandom` instead.
public struct SimRandom: RandomNumberGenerator, Sendable {
    /// The seed this generator (or stream) was created from.
    public let seed: UInt64
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        var mixer = SplitMix64(state: seed)
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
        if state == (0, 0, 0, 0) { state.0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// An independent stream named `name`, derived from this generator's seed.
    /// `stream("s3.replication")` is the same sequence in every run with the same seed.
    public func stream(_ name: String) -> SimRandom {
        SimRandom(seed: SplitMix64.mix(seed ^ StableHash.fnv1a64(name)))
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniformly distributed double in [0, 1), from the top 53 bits.
    public mutating func unitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniformly distributed duration in `range` (inclusive).
    public mutating func duration(in range: ClosedRange<SimDuration>) -> SimDuration {
        let span = UInt64(bitPattern: range.upperBound.nanoseconds &- range.lowerBound.nanoseconds)
        if span == 0 { return range.lowerBound }
        let offset = span == .max ? next() : next(upperBound: span &+ 1)
        return SimDuration(nanoseconds: range.lowerBound.nanoseconds &+ Int64(bitPattern: offset))
    }

    /// A draw from the exponential distribution with the given mean.
    public mutating func exponential(mean: SimDuration) -> SimDuration {
        let u = 1.0 - unitInterval() // (0, 1]
        return SimDuration.fromSeconds(-mean.seconds * log(u))
    }

    /// A draw from the log-normal distribution whose median is `median` and
    /// whose logarithm has standard deviation `sigma`.
    public mutating func logNormal(median: SimDuration, sigma: Double) -> SimDuration {
        SimDuration.fromSeconds(median.seconds * exp(sigma * standardNormal()))
    }

    /// A standard normal draw (Box–Muller; one of the pair is discarded so that
    /// the stream has no hidden state).
    public mutating func standardNormal() -> Double {
        let u1 = 1.0 - unitInterval()
        let u2 = unitInterval()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}

/// SplitMix64 (Steele, Lea and Flood), used to seed xoshiro and to mix stream names.
public struct SplitMix64: Sendable {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }
    /// The SplitMix64 finalizer: a bijective 64-bit mixer.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Hashes that are the same in every process (unlike `Hasher`, which Swift
/// seeds randomly per process).
public enum StableHash {
    /// 64-bit FNV-1a over the UTF-8 bytes of `string`.
    public static func fnv1a64(_ string: String) -> UInt64 { fnv1a64(string.utf8) }

    /// 64-bit FNV-1a over `bytes`.
    public static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The hash as 16 hex digits.
    public static func hex(_ hash: UInt64) -> String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
