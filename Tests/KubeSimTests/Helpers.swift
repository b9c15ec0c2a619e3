import SimCore

extension SimInstant {
    static func seconds(_ s: Int64) -> SimInstant { .zero + .seconds(s) }
    static func milliseconds(_ ms: Int64) -> SimInstant { .zero + .milliseconds(ms) }
}
