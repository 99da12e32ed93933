/**
 * `opcua browse`: walks an OPC UA address space from a start node (Browse, forward hierarchical
 * references [OPC 10000-4 §5.8.2]) down to a depth and writes a ready-to-edit YAML device config
 * with one point per Variable found, addressed by browse path (stable across server restarts)
 * and commented with its NodeId. Security None, anonymous; at most `maxNodes` visited.
 */
import { stringify } from "yaml";
import { clientPkiDir } from "../drivers/opcua/client-setup";

export interface OpcuaBrowseOptions {
  endpoint: string;
  deviceId: string;
  /** Browse path to start from, e.g. "/Objects/1:Plant"; default "/Objects". */
  start?: string;
  maxDepth?: number;
  maxNodes?: number;
  /** The agent's state dir: the client PKI goes to <stateDir>/pki/opcua-client. */
  stateDir: string;
}

export interface BrowsedVariable {
  key: string;
  browsePath: string;
  nodeId: string;
}

/** Browses the server and returns the Variables found, in browse order. */
export async function browseOpcuaVariables(o: OpcuaBrowseOptions): Promise<BrowsedVariable[]> {
  const ua = await import("node-opcua");
  const client = ua.OPCUAClient.create({
    endpointMustExist: false,
    clientCertificateManager: new ua.OPCUACertificateManager({
      rootFolder: clientPkiDir(o.stateDir),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    }),
    connectionStrategy: { maxRetry: 1, initialDelay: 500, maxDelay: 2000 },
  });
  await client.connect(o.endpoint);
  const found: BrowsedVariable[] = [];
  try {
    const session = await client.createSession();
    const startPath = o.start ?? "/Objects";
    const tr = await session.translateBrowsePath(ua.makeBrowsePath("RootFolder", startPath));
    const start = tr.targets?.[0]?.targetId.toString();
    if (start === undefined) throw new Error(`start ${startPath}: ${tr.statusCode.name}`);
    let visited = 0;
    const walk = async (nodeId: string, path: string, depth: number): Promise<void> => {
      if (depth >= (o.maxDepth ?? 5) || visited >= (o.maxNodes ?? 10_000)) return;
      const res = await session.browse({
        nodeId,
        browseDirection: ua.BrowseDirection.Forward,
        referenceTypeId: "HierarchicalReferences",
        includeSubtypes: true,
        nodeClassMask: ua.NodeClassMask.Object | ua.NodeClassMask.Variable,
        resultMask: 0x3f,
      });
      for (const ref of res.references ?? []) {
        if (++visited > (o.maxNodes ?? 10_000)) return;
        const name = ref.browseName;
        const childPath = `${path}/${name.namespaceIndex}:${name.name ?? ""}`;
        const childId = ref.nodeId.toString();
        if (ref.nodeClass === ua.NodeClass.Variable && name.namespaceIndex !== 0)
          found.push({ key: keyOf(name.name ?? childId), browsePath: childPath, nodeId: childId });
        if (name.namespaceIndex !== 0 || ref.nodeClass === ua.NodeClass.Object)
          await walk(childId, childPath, depth + 1);
      }
    };
    await walk(start, startPath, 0);
    await session.close();
  } finally {
    await client.disconnect();
  }
  return found;
}

/** Sensor keys are lower snake case; OPC UA browse names are free text. */
function keyOf(name: string): string {
  const k = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return /^[a-z]/.test(k) ? k : `p_${k}`;
}

/** The YAML text of one opcua device entry (paste under `devices:`). */
export function browseResultToYaml(o: OpcuaBrowseOptions, vars: BrowsedVariable[]): string {
  const seen = new Map<string, number>();
  const points = vars.map((v) => {
    const n = (seen.get(v.key) ?? 0) + 1;
    seen.set(v.key, n);
    return { key: n === 1 ? v.key : `${v.key}_${n}`, browsePath: v.browsePath };
  });
  const device = { id: o.deviceId, driver: "opcua", endpoint: o.endpoint, samplingIntervalMs: 1000, points };
  const header = vars.map((v) => `#   ${v.browsePath} = ${v.nodeId}`).join("\n");
  return `# opcua browse ${o.endpoint}: ${vars.length} variables (browse path = NodeId)\n${header}\n${stringify([device])}`;
}

/** CLI entry: browses and returns the YAML (the caller writes it to stdout or a file). */
export async function runOpcuaBrowse(o: OpcuaBrowseOptions): Promise<string> {
  return browseResultToYaml(o, await browseOpcuaVariables(o));
}
