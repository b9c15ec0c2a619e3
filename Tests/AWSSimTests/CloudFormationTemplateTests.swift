import Testing
@testable import AWSSim

/// The template engine: parsing (YAML short forms and JSON), every intrinsic
/// function against hand-computed values, conditions, parameters and their
/// constraints, the dependency graph and AWS's error texts.
@Suite struct CloudFormationTemplateTests {
    static func context() -> CFNContext {
        var context = CFNContext(accountId: "123456789012", region: "us-west-2", stackName: "odas",
                                 stackId: "arn:aws:cloudformation:us-west-2:123456789012:stack/odas/0c1f8a80-0000-4000-8000-000000000001")
        context.availabilityZones = ["us-west-2": ["us-west-2c", "us-west-2a", "us-west-2b"], "us-east-1": ["us-east-1a", "us-east-1b"]]
        context.parameters = ["Env": .string("prod"), "Subnets": .list([.string("subnet-1"), .string("subnet-2")])]
        context.resources = ["Bucket": .init(type: "AWS::S3::Bucket", physicalId: "odas-logs-abc",
                                             attributes: ["Arn": .string("arn:aws:s3:::odas-logs-abc")]),
                             "Db": .init(type: "AWS::RDS::DBInstance", physicalId: "odas-db",
                                         attributes: ["Endpoint.Address": .string("odas-db.x.us-west-2.rds.amazonaws.com"), "Endpoint.Port": .string("3306")])]
        context.exports = ["network-VpcId": "vpc-0abc"]
        context.conditions = ["IsProd": true, "IsDev": false]
        return context
    }

    static func evaluate(_ yaml: String, transforms: [String] = [], mappings: CFNMap = CFNMap()) throws(CFNError) -> CFNValue {
        var context = Self.context()
        context.transforms = transforms
        guard case .map(let root) = try CFNTemplateParser.parse("Value: " + yaml), let value = root["Value"] else { return .null }
        return try CFNEvaluator(context: context, mappings: mappings).evaluate(value)
    }

    static func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch let error as CFNError { return error.message } catch { return "\(error)" }
    }

    @Test func shortFormsReadAsTheLongForms() throws {
        let yaml = try CFNTemplateParser.parse("""
            A: !Ref Env
            B: !GetAtt Db.Endpoint.Address
            C: !Sub "${AWS::StackName}-logs"
            D: !Join [",", !Ref Subnets]
            E: !GetAZs ""
            F: !If [IsProd, 3, 1]
            G: !Equals [!Ref Env, prod]
            """)
        let json = try CFNTemplateParser.parse("""
            {"A": {"Ref": "Env"}, "B": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}, "C": {"Fn::Sub": "${AWS::StackName}-logs"},
             "D": {"Fn::Join": [",", {"Ref": "Subnets"}]}, "E": {"Fn::GetAZs": ""}, "F": {"Fn::If": ["IsProd", 3, 1]},
             "G": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}}
            """)
        #expect(yaml == json)
    }

    @Test func intrinsicsGiveHandComputedValues() throws {
        #expect(try Self.evaluate("!Sub '${AWS::StackName}-${Env}-${AWS::Region}-${!Literal}'") == .string("odas-prod-us-west-2-${Literal}"))
        #expect(try Self.evaluate("!Sub ['jdbc:mysql://${Host}:${Db.Endpoint.Port}/${Name}', {Host: !GetAtt Db.Endpoint.Address, Name: okera}]")
                == .string("jdbc:mysql://odas-db.x.us-west-2.rds.amazonaws.com:3306/okera"))
        #expect(try Self.evaluate("!Join ['', ['arn:', !Ref 'AWS::Partition', ':s3:::', !Ref Bucket, '/*']]") == .string("arn:aws:s3:::odas-logs-abc/*"))
        #expect(try Self.evaluate("!Select [1, !GetAZs '']") == .string("us-west-2b"), "GetAZs is alphabetical")
        #expect(try Self.evaluate("!GetAZs us-east-1") == .list([.string("us-east-1a"), .string("us-east-1b")]))
        #expect(try Self.evaluate("!Select [2, !Split [',', 'a,b,c']]") == .string("c"))
        #expect(try Self.evaluate("!Base64 hello") == .string("aGVsbG8="))
        #expect(try Self.evaluate("!Cidr ['10.0.0.0/16', 3, 8]") == .list([.string("10.0.0.0/24"), .string("10.0.1.0/24"), .string("10.0.2.0/24")]))
        #expect(try Self.evaluate("!Cidr ['10.0.0.0/16', 2, 12]") == .list([.string("10.0.0.0/20"), .string("10.0.16.0/20")]))
        #expect(try Self.evaluate("!ImportValue network-VpcId") == .string("vpc-0abc"))
        #expect(try Self.evaluate("!If [IsDev, big, small]") == .string("small"))
        #expect(try Self.evaluate("!And [!Equals [!Ref Env, prod], !Not [!Condition IsDev]]") == .bool(true))
        #expect(try Self.evaluate("!Or [!Condition IsDev, !Equals [a, b]]") == .bool(false))
        let mappings = try #require(try CFNTemplateParser.parse("M: {us-west-2: {Ami: ami-123}}").mapValue)
        #expect(try Self.evaluate("!FindInMap [M, !Ref 'AWS::Region', Ami]", mappings: mappings) == .string("ami-123"))
        // AWS::NoValue removes a property and a list item.
        #expect(try Self.evaluate("{A: 1, B: !If [IsDev, 2, !Ref 'AWS::NoValue'], C: [x, !If [IsDev, y, !Ref 'AWS::NoValue']]}")
                == .map(CFNMap([("A", .number("1")), ("C", .list([.string("x")]))])))
        #expect(try Self.evaluate("!Length [a, b, c]", transforms: ["AWS::LanguageExtensions"]) == .number("3"))
        #expect(try Self.evaluate("!ToJsonString {a: [1, true]}", transforms: ["AWS::LanguageExtensions"]) == .string("{\"a\":[1,true]}"))
    }

    @Test func functionErrorsUseAWSsWording() {
        #expect(Self.message { _ = try Self.evaluate("!Select [5, [a, b]]") } == "Template error: Fn::Select cannot select nonexistent value at index 5")
        #expect(Self.message { _ = try Self.evaluate("!FindInMap [M, a, b]") } == "Template error: Unable to get mapping for M::a::b")
        #expect(Self.message { _ = try Self.evaluate("!GetAtt Bucket.Nope") } == "Template error: resource Bucket does not support attribute type Nope in Fn::GetAtt")
        #expect(Self.message { _ = try Self.evaluate("!ImportValue missing") } == "No export named missing found")
        #expect(Self.message { _ = try Self.evaluate("!If [Nope, a, b]") } == "Template error: unresolved condition dependency Nope in Fn::If")
        #expect(Self.message { _ = try Self.evaluate("!Length [a]") }.contains("AWS::LanguageExtensions"))
        #expect(Self.message { _ = try Self.evaluate("{\"Fn::Foo\": 1}") }.hasPrefix("Template error: Encountered unsupported function: Fn::Foo Supported functions are: ["))
        #expect(Self.message { _ = try Self.evaluate("!Sub '${Subnets}'") } == "Template error: variable Subnets in Fn::Sub expression does not resolve to a string")
    }

    @Test(arguments: [
        ("", "Template format error: At least one Resources member must be defined."),
        ("Resources: {A: {Type: AWS::S3::Bucket}}\nFoo: 1", "Template format error: Invalid template property or properties [Foo]"),
        ("Resources: {A: {Properties: {}}}", "Template format error: [/Resources/A] Every Resources object must contain a Type member."),
        ("Resources: {my-bucket: {Type: AWS::S3::Bucket}}", "Template format error: Resource name my-bucket is non alphanumeric."),
        ("Resources: {A: {Type: AWS::S3::Bucket, Propertys: {}}}", "Template format error: Invalid template resource property 'Propertys'"),
        ("Resources:\n  A: !Foo x", "Template format error: YAML not well-formed. Unknown tag !Foo (line 2, column 6)"),
        ("Resources:\n  A: {Type: AWS::S3::Bucket}\n  A: {Type: AWS::S3::Bucket}", "Template format error: YAML not well-formed. Duplicate key A (line 2, column 3)."),
        ("Resources: [a", "Template format error: YAML not well-formed. (line 2, column 1)"),
        ("{\"Resources\": {", "Template format error: JSON not well-formed. (line 2, column 1)"),
        ("AWSTemplateFormatVersion: '2011-01-01'\nResources: {A: {Type: AWS::S3::Bucket}}", "Template format error: '2011-01-01' is not a valid template version: the only valid value is 2010-09-09"),
    ])
    func malformedTemplatesAreRefused(body: String, message: String) {
        let text = Self.message { _ = try CFNTemplate.parse(body) }
        #expect(text.hasPrefix(message), "\(text)")
    }

    @Test func aliasesCannotExpand() {
        var body = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { body += "a\(level): &a\(level) [*a\(level - 1), *a\(level - 1), *a\(level - 1), *a\(level - 1), *a\(level - 1), *a\(level - 1), *a\(level - 1), *a\(level - 1), *a\(level - 1), *a\(level - 1)]\n" }
        body += "Resources: {A: {Type: AWS::S3::Bucket, Properties: {Tags: *a9}}}\n"
        #expect(Self.message { _ = try CFNTemplate.parse(body) }.contains("YAML aliases and anchors are not supported"))
    }

    static let graphTemplate = """
        Parameters:
          Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}
        Conditions:
          IsDev: !Equals [!Ref Env, dev]
        Resources:
          Vpc: {Type: AWS::KMS::Key, Properties: {Description: vpc}}
          SubnetB: {Type: AWS::KMS::Alias, Properties: {TargetKeyId: !Ref Vpc, AliasName: alias/b}}
          SubnetA: {Type: AWS::KMS::Alias, Properties: {TargetKeyId: !Ref Vpc, AliasName: alias/a}}
          Group: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: odas, VpcId: !GetAtt Vpc.Arn}}
          Logs: {Type: AWS::S3::Bucket, DependsOn: [Group]}
          DevBucket: {Type: AWS::S3::Bucket, Condition: IsDev}
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {}
              Policies: !If [IsDev, [{PolicyName: dev, PolicyDocument: {Resource: !GetAtt DevBucket.Arn}}], !Ref 'AWS::NoValue']
              Description: !Sub '${Logs.Arn} in ${SubnetA}'
        Outputs:
          VpcId: {Value: !Ref Vpc, Export: {Name: !Sub '${AWS::StackName}-VpcId'}}
        """

    @Test func theGraphIsStableAndFollowsRefGetAttSubAndDependsOn() throws {
        let template = try CFNTemplate.parse(Self.graphTemplate)
        let result = try CFNValidation.validate(template)
        #expect(result.graph.dependencies["Role"] == ["DevBucket", "Logs", "SubnetA"], "all Fn::If branches count when validating")
        #expect(result.graph.dependencies["Logs"] == ["Group"])
        #expect(result.graph.order == ["DevBucket", "Vpc", "Group", "Logs", "SubnetA", "Role", "SubnetB"])
        #expect(result.capabilities == ["CAPABILITY_IAM"])
        #expect(result.capabilitiesReason == "The following resource(s) require capabilities: [AWS::IAM::Role]")
        // At creation only the taken branch counts: DevBucket is excluded and Role no longer needs it.
        let included = Set(template.resources.map(\.logicalId)).subtracting(["DevBucket"])
        let graph = try CFNGraph.build(template, included: included, conditions: ["IsDev": false])
        #expect(graph.dependencies["Role"] == ["Logs", "SubnetA"])
        // …while a reference outside Fn::If to an excluded resource is unresolved.
        let broken = try CFNTemplate.parse(Self.graphTemplate.replacingOccurrences(of: "Description: !Sub '${Logs.Arn} in ${SubnetA}'",
                                                                                   with: "Description: !GetAtt DevBucket.Arn"))
        #expect(Self.message { _ = try CFNGraph.build(broken, included: included, conditions: ["IsDev": false]) }
                == "Template format error: Unresolved resource dependencies [DevBucket] in the Resources block of the template")
    }

    @Test func cyclesAndUnresolvedReferencesAreNamed() throws {
        let cycle = try CFNTemplate.parse("""
            Resources:
              A: {Type: AWS::S3::Bucket, DependsOn: B}
              B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref C}}
              C: {Type: AWS::S3::Bucket, Properties: {BucketName: !GetAtt A.Arn}}
              D: {Type: AWS::S3::Bucket, DependsOn: A}
            """)
        #expect(Self.message { _ = try CFNValidation.validate(cycle) } == "Circular dependency between resources: [A, B, C]")
        let unresolved = try CFNTemplate.parse("Resources: {A: {Type: AWS::S3::Bucket, DependsOn: [Missing, Other]}}")
        #expect(Self.message { _ = try CFNValidation.validate(unresolved) }
                == "Template format error: Unresolved resource dependencies [Missing, Other] in the Resources block of the template")
        let output = try CFNTemplate.parse("Resources: {A: {Type: AWS::S3::Bucket}}\nOutputs: {X: {Value: !Ref Nope}}")
        #expect(Self.message { _ = try CFNValidation.validate(output) }
                == "Template format error: Unresolved resource dependencies [Nope] in the Outputs block of the template")
        let attribute = try CFNTemplate.parse("Resources: {A: {Type: AWS::S3::Bucket}, B: {Type: AWS::S3::Bucket, Properties: {BucketName: !GetAtt A.Endpoint}}}")
        #expect(Self.message { _ = try CFNValidation.validate(attribute) } == "Template error: resource A does not support attribute type Endpoint in Fn::GetAtt")
        let condition = try CFNTemplate.parse("Conditions: {C: !Equals [!Ref A, x]}\nResources: {A: {Type: AWS::S3::Bucket}}")
        #expect(Self.message { _ = try CFNValidation.validate(condition) }
                == "Template format error: Unresolved dependencies [A]. Cannot reference resources in the Conditions block of the template")
    }

    @Test func unsupportedTypesAreNamedNotSkipped() throws {
        let template = try CFNTemplate.parse("""
            Resources:
              F: {Type: AWS::Lambda::Function}
              Q: {Type: AWS::SQS::Queue}
              B: {Type: AWS::S3::Bucket}
              G: {Type: AWS::Lambda::Function}
            """)
        #expect(Self.message { _ = try CFNValidation.validate(template) }.hasPrefix("Template format error: Unrecognized resource types: [AWS::Lambda::Function, AWS::SQS::Queue]"))
        let named = try CFNTemplate.parse("Resources: {R: {Type: AWS::IAM::Role, Properties: {RoleName: odas-node}}}")
        #expect(try CFNValidation.validate(named).capabilities == ["CAPABILITY_NAMED_IAM"])
    }

    static let parameterTemplate = """
        Parameters:
          Env: {Type: String, AllowedValues: [prod, dev]}
          Name: {Type: String, AllowedPattern: '[a-z][a-z0-9-]*', MinLength: 3, MaxLength: 12}
          Nodes: {Type: Number, Default: 3, MinValue: 2, MaxValue: 9}
          Cidr: {Type: String, Default: 10.0.0.0/16, AllowedPattern: '(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})', ConstraintDescription: must be a CIDR block such as 10.0.0.0/16}
          Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}
          Password: {Type: String, NoEcho: true, Default: hunter22}
        Resources: {A: {Type: AWS::S3::Bucket}}
        """

    @Test func parametersAreCheckedWithAWSsMessages() throws {
        let template = try CFNTemplate.parse(Self.parameterTemplate)
        func resolve(_ given: [String: String]) -> String {
            Self.message { _ = try CFNValidation.resolveParameters(template, given: given) }
        }
        let good = ["Env": "prod", "Name": "odas-1", "Subnets": "subnet-1, subnet-2"]
        let values = try CFNValidation.resolveParameters(template, given: good)
        #expect(values["Subnets"] == .list([.string("subnet-1"), .string("subnet-2")]))
        #expect(values["Nodes"] == .string("3"))
        #expect(resolve([:]) == "Parameters: [Env, Name, Subnets] must have values")
        #expect(resolve(good.merging(["Extra": "1", "Another": "2"]) { $1 }) == "Parameters: [Another, Extra] do not exist in the template")
        #expect(resolve(good.merging(["Env": "test"]) { $1 }) == "Parameter 'Env' must be one of AllowedValues")
        #expect(resolve(good.merging(["Name": "Odas"]) { $1 }) == "Parameter 'Name' must match pattern [a-z][a-z0-9-]*")
        #expect(resolve(good.merging(["Name": "od"]) { $1 }) == "Parameter 'Name' must contain at least 3 characters")
        #expect(resolve(good.merging(["Nodes": "12"]) { $1 }) == "Parameter 'Nodes' must be a number not greater than 9")
        #expect(resolve(good.merging(["Nodes": "three"]) { $1 }) == "Parameter 'Nodes' must be a number.")
        #expect(resolve(good.merging(["Cidr": "10.0.0.0"]) { $1 }) == "Parameter Cidr failed to satisfy constraint: must be a CIDR block such as 10.0.0.0/16")
        let result = try CFNValidation.validate(template)
        #expect(result.parameters.first { $0.key == "Password" } == .init(key: "Password", defaultValue: nil, noEcho: true, description: nil))
        #expect(Self.message { _ = try CFNTemplate.parse("Parameters: {P: {Type: Strin}}\nResources: {A: {Type: AWS::S3::Bucket}}") }
                == "Template format error: Unrecognized parameter type: Strin")
        #expect(Self.message { _ = try CFNTemplate.parse("Parameters: {P: {Type: Number, Default: 1, MaxValue: 0}}\nResources: {A: {Type: AWS::S3::Bucket}}") }
                == "Template format error: Default value for parameter P is invalid: Parameter 'P' must be a number not greater than 0")
    }

    @Test func conditionsEvaluateInDependencyOrder() throws {
        let template = try CFNTemplate.parse("""
            Parameters: {Env: {Type: String, Default: prod}}
            Conditions:
              Both: !And [!Condition IsProd, !Condition InWest]
              IsProd: !Equals [!Ref Env, prod]
              InWest: !Equals [!Select [0, !Split ['-', !Ref 'AWS::Region']], us]
            Resources: {A: {Type: AWS::S3::Bucket, Condition: Both}}
            """)
        var context = Self.context()
        context.conditions = [:]
        context.parameters = try CFNValidation.resolveParameters(template, given: [:])
        #expect(try CFNValidation.evaluateConditions(template, context) == ["Both": true, "IsProd": true, "InWest": true])
        let loop = try CFNTemplate.parse("Conditions: {A: !Condition B, B: !Not [!Condition A]}\nResources: {R: {Type: AWS::S3::Bucket}}")
        #expect(Self.message { _ = try CFNValidation.validate(loop) } == "Template format error: Circular dependency between conditions: [A, B]")
    }
}
