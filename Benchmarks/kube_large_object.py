"""A large Kubernetes object against `odas-sim serve`: how long a GET of a pod
with 90,000 labels (1.3 MB, under etcd's 1.5 MiB object limit) holds the
server, measured as the latency of S3 requests sent meanwhile.

Usage: python3 Benchmarks/kube_large_object.py READY_FILE
"""
import json
import sys
import threading
import time
import urllib.request

import boto3

ready = json.load(open(sys.argv[1]))
kube = ready["kubernetes"]
labels = {f"l{i}": "v" for i in range(90_000)}
pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "many-labels", "labels": labels},
       "spec": {"containers": [{"name": "c", "image": "i"}]}}
start = time.monotonic()
urllib.request.urlopen(urllib.request.Request(kube + "/api/v1/namespaces/default/pods", data=json.dumps(pod).encode(),
                                              method="POST", headers={"Content-Type": "application/json"}))
print(f"create: {time.monotonic() - start:.3f} s")
s3 = boto3.client("s3", endpoint_url=ready["aws"], region_name="us-west-2",
                  aws_access_key_id="AKIAODASSIMDEVELOPER", aws_secret_access_key="odas-sim-dev-secret-key")
s3.list_buckets()
latencies = []
done = threading.Event()


def probe():
    while not done.is_set():
        begin = time.monotonic()
        s3.head_bucket(Bucket="okera-data")
        latencies.append(time.monotonic() - begin)


thread = threading.Thread(target=probe)
thread.start()
gets = []
for _ in range(5):
    begin = time.monotonic()
    body = urllib.request.urlopen(kube + "/api/v1/namespaces/default/pods/many-labels").read()
    gets.append(time.monotonic() - begin)
done.set()
thread.join()
gets.sort()
latencies.sort()
print(f"GET of {len(body)} bytes: median {gets[2]:.3f} s, max {gets[-1]:.3f} s")
print(f"S3 HeadBucket meanwhile: {len(latencies)} requests, median {latencies[len(latencies) // 2] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
