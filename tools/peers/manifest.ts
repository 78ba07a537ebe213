/**
 * The pinned versions of every real tool Chartroom's tests and benchmarks run against.
 * Changing a version here makes `npm run peers` build it into a new folder of the cache; old
 * versions stay until the cache is cleared.
 */

export interface GoPeer {
  source: 'go';
  name: string;
  version: string;
  /** How build-go.sh builds it. */
  kind: 'kubernetes' | 'etcd' | 'module';
  /** For kind=module: the main package. */
  pkg?: string;
  /** For kind=module: `<declared module path>=<path the proxy serves>`. */
  replace?: string;
  ldflags?: string[];
  bins: string[];
}

export interface PipPeer {
  source: 'pip';
  name: string;
  version: string;
  /** pip requirement specifiers installed into one venv. */
  requirements: string[];
  bins: string[];
}

export interface AptPeer {
  source: 'apt';
  name: string;
  packages: string[];
  /** Binaries to link into peers/bin, as `name` or `name=/absolute/path`. */
  bins: string[];
}

/**
 * `test` peers are installed by `npm test` (and CI); `bench` peers only by `npm run peers -- --bench`
 * (or `--only`), since only benchmarks compare against them and some take many minutes to build.
 */
export type Purpose = 'test' | 'bench';

export type Peer = (GoPeer | PipPeer | AptPeer) & { purpose?: Purpose };

const k8s = 'v1.36.3';

export const peers: readonly Peer[] = [
  {
    source: 'go',
    name: 'kubernetes',
    version: k8s,
    kind: 'kubernetes',
    bins: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
  },
  { source: 'go', name: 'etcd', version: 'v3.6.14', kind: 'etcd', bins: ['etcd'] },
  {
    source: 'go',
    name: 'kwok',
    version: 'v0.8.0',
    kind: 'module',
    pkg: 'sigs.k8s.io/kwok/cmd/kwok',
    ldflags: [
      '-X sigs.k8s.io/kwok/pkg/consts.Version=v0.8.0',
      `-X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${k8s}`,
    ],
    bins: ['kwok'],
  },
  {
    // kwok's own cluster tool: the peer of `chartroom cluster up` in bench/cluster-up.ts.
    source: 'go',
    name: 'kwokctl',
    purpose: 'bench',
    version: 'v0.8.0',
    kind: 'module',
    pkg: 'sigs.k8s.io/kwok/cmd/kwokctl',
    ldflags: [
      '-X sigs.k8s.io/kwok/pkg/consts.Version=v0.8.0',
      `-X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${k8s}`,
    ],
    bins: ['kwokctl'],
  },
  {
    source: 'go',
    name: 'helm',
    version: 'v3.21.4',
    kind: 'module',
    pkg: 'helm.sh/helm/v3/cmd/helm',
    ldflags: [
      '-X helm.sh/helm/v3/internal/version.version=v3.21.4',
      '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
      // Without these, `helm template` assumes Kubernetes 1.20 for .Capabilities.
      '-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1',
      '-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=36',
      '-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1',
      '-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=36',
    ],
    bins: ['helm'],
  },
  {
    source: 'go',
    name: 'sops',
    version: 'v3.13.2',
    kind: 'module',
    pkg: 'github.com/getsops/sops/v3/cmd/sops',
    bins: ['sops'],
  },
  {
    source: 'go',
    name: 'kube-score',
    version: 'v1.20.0',
    kind: 'module',
    pkg: 'github.com/zegl/kube-score/cmd/kube-score',
    ldflags: ['-X main.version=1.20.0'],
    bins: ['kube-score'],
  },
  {
    source: 'go',
    name: 'kube-linter',
    version: 'v0.8.3',
    kind: 'module',
    pkg: 'golang.stackrox.io/kube-linter/cmd/kube-linter',
    replace: 'golang.stackrox.io/kube-linter=github.com/stackrox/kube-linter',
    ldflags: ['-X golang.stackrox.io/kube-linter/internal/version.version=v0.8.3'],
    bins: ['kube-linter'],
  },
  {
    source: 'go',
    name: 'ec2-metadata-mock',
    version: 'v1.13.0',
    kind: 'module',
    pkg: 'github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock',
    bins: ['ec2-metadata-mock'],
  },
  {
    // v0.7.11 is refused by the module proxy here (403); v0.7.10 is the newest plain-installable tag.
    source: 'go',
    name: 'aws-iam-authenticator',
    purpose: 'bench',
    version: 'v0.7.10',
    kind: 'module',
    pkg: 'sigs.k8s.io/aws-iam-authenticator/cmd/aws-iam-authenticator',
    ldflags: ['-X sigs.k8s.io/aws-iam-authenticator/pkg.Version=v0.7.10'],
    bins: ['aws-iam-authenticator'],
  },
  {
    // scan: the package cataloguer the scan benchmark compares against (docker-archive / oci-dir).
    source: 'go',
    name: 'syft',
    purpose: 'bench',
    version: 'v1.57.1',
    kind: 'module',
    pkg: 'github.com/anchore/syft/cmd/syft',
    ldflags: ['-X main.version=1.57.1'],
    bins: ['syft'],
  },
  {
    source: 'pip',
    name: 'moto',
    version: '5.2.5',
    requirements: ['moto[server]==5.2.5'],
    bins: ['moto_server'],
  },
  {
    // access: `aws eks get-token`, the Python peer of the token benchmark.
    source: 'pip',
    name: 'awscli',
    purpose: 'bench',
    version: '1.46.2',
    requirements: ['awscli==1.46.2'],
    bins: ['aws'],
  },
  {
    source: 'apt',
    name: 'debian-tools',
    packages: ['age', 'gnupg', 'chromium', 'postgresql'],
    bins: ['age', 'age-keygen', 'gpg', 'gpg-agent', 'gpgconf', 'chromium'],
  },
  {
    // scan: a real Debian root filesystem (debootstrap), a real registry on loopback and skopeo to
    // push images into it, for the scan acceptance test and benchmark.
    source: 'apt',
    name: 'scan-tools',
    packages: ['debootstrap', 'docker-registry', 'skopeo'],
    bins: ['debootstrap=/usr/sbin/debootstrap', 'docker-registry', 'skopeo'],
  },
  {
    // policy advise: a real Prometheus loaded with promtool-built blocks (Debian's 2.42).
    source: 'apt',
    name: 'prometheus',
    packages: ['prometheus'],
    bins: ['prometheus', 'promtool'],
  },
  {
    // deploy: strace records every write of chartroom and helm during the e2e deploy, to prove no
    // decrypted secret ever reaches a file.
    source: 'apt',
    name: 'deploy-tools',
    packages: ['strace'],
    bins: ['strace'],
  },
  {
    // dev: real dependency servers on loopback (kwok's port-forward points at them) and their
    // clients, which the e2e test's small app uses to reach them through the forwards.
    source: 'apt',
    name: 'dev-deps',
    packages: ['redis-server', 'redis-tools', 'mariadb-server', 'mariadb-client'],
    bins: [
      'redis-server',
      'redis-cli',
      'mariadbd=/usr/sbin/mariadbd',
      'mariadb-install-db',
      'mariadb',
      'mariadb-admin',
    ],
  },
];
