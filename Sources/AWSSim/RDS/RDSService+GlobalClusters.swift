import SimCore

/// Aurora global databases as separate API objects: CreateGlobalCluster from
/// an existing Aurora cluster (its primary), then a secondary cluster in
/// another region joins it — the replication ``createDBCluster`` sets up
/// with `globalSecondaryRegion` (aurora-global-database-getting-started.html).
extension RDSService {
    /// CreateGlobalCluster with SourceDBClusterIdentifier.
    public mutating func createGlobalCluster(_ identifier: String, sourceCluster: String) throws(RDSError) {
        guard globalClusters[identifier] == nil else {
            throw RDSError(code: "GlobalClusterAlreadyExistsFault", message: "Global cluster \(identifier) already exists")
        }
        guard let source = instances[sourceCluster] else { throw .notFound(sourceCluster) }
        guard source.isAurora else {
            throw RDSError(code: "InvalidDBClusterStateFault", message: "The source cluster \(sourceCluster) is not an Aurora cluster")
        }
        if globalClusters.values.contains(sourceCluster) {
            throw RDSError(code: "InvalidDBClusterStateFault", message: "Cluster \(sourceCluster) is already a member of a global cluster")
        }
        globalClusters[identifier] = sourceCluster
    }

    /// A secondary cluster joins: its region and writer AZ become the primary's
    /// replica region (asynchronous, storage-level replication).
    public mutating func addGlobalSecondary(_ identifier: String, region: String, availabilityZone: String) throws(RDSError) {
        guard let primaryId = globalClusters[identifier], let primary = instances[primaryId] else {
            throw RDSError(code: "GlobalClusterNotFoundFault", message: "Global cluster \(identifier) not found")
        }
        guard primary.region != region else {
            throw RDSError(code: "InvalidParameterValue", message: "The secondary cluster must be in a region other than the primary's (\(region))")
        }
        guard primary.secondary == nil else {
            throw RDSError(code: "InvalidGlobalClusterStateFault", message: "Global cluster \(identifier) already has a secondary region (odas-sim simulates one)")
        }
        instances[primaryId]?.globalSecondaryRegion = region
        instances[primaryId]?.globalSecondaryAZ = availabilityZone
        do { instances[primaryId]?.secondary = try SQLiteDatabase() } catch {
            throw RDSError(code: "InternalFailure", message: error.description)
        }
    }

    /// RemoveFromGlobalCluster of the secondary (it stops replicating).
    public mutating func removeGlobalSecondary(_ identifier: String) {
        guard let primaryId = globalClusters[identifier] else { return }
        instances[primaryId]?.globalSecondaryRegion = nil
        instances[primaryId]?.globalSecondaryAZ = nil
        instances[primaryId]?.secondary = nil
    }

    /// DeleteGlobalCluster: refused while a secondary cluster is a member.
    public mutating func deleteGlobalCluster(_ identifier: String) throws(RDSError) {
        guard let primaryId = globalClusters[identifier] else { return }
        if instances[primaryId]?.secondary != nil {
            throw RDSError(code: "InvalidGlobalClusterStateFault", message: "Global Cluster \(identifier) is not empty")
        }
        globalClusters[identifier] = nil
    }
}
