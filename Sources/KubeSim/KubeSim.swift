/// KubeSim: the simulated Kubernetes cluster (API objects, scheduler, node
/// lifecycle, controllers, the kubectl wire adapter).
///
/// Not built yet: the target exists so that the dependency direction of the
/// package is fixed from the start (`SimCore ← KubeSim ← ODASModel`). Its
/// work is tracked by the KubeSim issue; nothing in the scenario format
/// claims Kubernetes behaviour until then (see docs/ARCHITECTURE.md).
public enum KubeSim {}
