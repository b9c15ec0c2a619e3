extension KubeCluster {
    /// A cloud controller's write of `status.loadBalancer` for a Service
    /// (the AWS Load Balancer Controller records its load balancer's DNS name).
    public mutating func setLoadBalancerIngress(namespace: String, name: String, _ ingress: [LoadBalancerIngress]?) {
        store.setLoadBalancerIngress(namespace: namespace, name: name, ingress)
    }
}
