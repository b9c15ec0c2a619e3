/// ODASModel: the Okera Data Access Service as it runs on AWS, as values
/// with no world of their own:
/// - `Catalog/`: the catalog and access-policy engine (schema, changes as SQL
///   transactions, snapshots, grants, masks, row filters, data files, scan
///   results; docs/catalog.md);
/// - `Deployment/`: the ODAS services and their Kubernetes objects.
///
/// What ODAS does on the simulated network (planner, worker and catalog
/// processes) lives in `Scenarios/Runner/ODAS`, where the world is. The
/// installers are not built yet (see docs/ARCHITECTURE.md).
public enum ODASModel {}
