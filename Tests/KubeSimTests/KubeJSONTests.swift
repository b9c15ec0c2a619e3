import Foundation
import Testing
@testable import KubeSim

/// The adapter's JSON writer: sorted keys, JSON's scalars kept apart (a
/// boolean is not the number 1), the same bytes in every process.
@Suite struct KubeJSONTests {
    @Test func parsedValuesWriteBackAsTheSameJSONWithSortedKeys() throws {
        let text = #"{"z":[1,2.5,true,false,null,"a\"b\n"],"a":{"m":-3,"b":12345678901234,"é":"ü"},"k":0}"#
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let written = String(decoding: KubeJSON.serialize(value), as: UTF8.self)
        #expect(written == #"{"a":{"b":12345678901234,"m":-3,"é":"ü"},"k":0,"z":[1,2.5,true,false,null,"a\"b\n"]}"#)
        let again = try JSONSerialization.jsonObject(with: Data(written.utf8))
        #expect(String(decoding: KubeJSON.serialize(again), as: UTF8.self) == written)
    }

    @Test func nativeSwiftValuesAreWrittenByTheirType() {
        let value: [String: Any] = ["flag": true, "count": 3, "ratio": 0.25, "name": "x", "none": NSNull(), "list": [false, 1]]
        #expect(String(decoding: KubeJSON.serialize(value), as: UTF8.self)
                == #"{"count":3,"flag":true,"list":[false,1],"name":"x","none":null,"ratio":0.25}"#)
    }
}
