/// ODASModel: the Okera Data Access Service as it runs on AWS — its
/// services, catalog and access policies, the scan data path and the three
/// installers.
///
/// Built so far: the catalog and access-policy engine in `Catalog/`
/// (`CatalogSchema`, `CatalogChange`, `CatalogSnapshot` with
/// `authorizeScan`, row filters, masks, data files and `ScanResultBuilder`;
/// see docs/catalog.md). The dependency direction of the package is fixed
/// (`AWSSim, KubeSim ← ODASModel ← Scenarios`). See docs/ARCHITECTURE.md for
/// what is and is not modelled today.
public enum ODASModel {}
