/// Date formats of the AWS wire protocols, from Unix seconds (and milliseconds).
public enum HTTPDate {
    static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"] // 1970-01-01 was a Thursday
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Civil date from days since 1970-01-01 (Howard Hinnant's civil-from-days).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func split(_ seconds: Int64) -> (days: Int64, secondsOfDay: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (days, seconds - days * 86_400)
    }

    /// RFC 1123, as in `Last-Modified`: `Fri, 27 Nov 2026 04:12:28 GMT`.
    public static func rfc1123(unixSeconds: Int64) -> String {
        let (days, rest) = split(unixSeconds)
        let (year, month, day) = civil(days: days)
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        return "\(weekday), \(pad(day, 2)) \(months[Int(month - 1)]) \(pad(year, 4)) \(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2)) GMT"
    }

    /// ISO 8601 with milliseconds, as in S3 XML: `2026-11-27T04:12:28.000Z`.
    public static func iso8601(unixMilliseconds: Int64) -> String {
        let seconds = unixMilliseconds >= 0 ? unixMilliseconds / 1000 : (unixMilliseconds - 999) / 1000
        let millis = unixMilliseconds - seconds * 1000
        let (days, rest) = split(seconds)
        let (year, month, day) = civil(days: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2)).\(pad(millis, 3))Z"
    }

    /// Parses RFC 1123 (`Fri, 27 Nov 2026 04:12:28 GMT`) into Unix seconds.
    public static func parseRFC1123(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int64(parts[1]),
              let monthIndex = months.firstIndex(of: String(parts[2])), let year = Int64(parts[3]) else { return nil }
        let time = parts[4].split(separator: ":")
        guard time.count == 3, let h = Int64(time[0]), let m = Int64(time[1]), let s = Int64(time[2]) else { return nil }
        return UnixTime.seconds(year: year, month: Int64(monthIndex + 1), day: day) + h * 3600 + m * 60 + s
    }
}
