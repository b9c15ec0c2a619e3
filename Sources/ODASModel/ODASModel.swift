/// ODASModel: the Okera Data Access Service as it runs on AWS — its
/// services, catalog and access policies, the scan data path and the three
/// installers.
///
/// Not built yet: the target exists so that the dependency direction of the
/// package is fixed (`AWSSim, KubeSim ← ODASModel ← Scenarios`). See
/// docs/ARCHITECTURE.md for what is and is not modelled today.
public enum ODASModel {}
