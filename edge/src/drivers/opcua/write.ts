/**
 * OPC UA Write of one Value attribute [OPC 10000-4 §5.10.4]. The Variant's type is the given
 * built-in type name, or the node's DataType read first (a custom/enum type resolves to its
 * built-in base via node-opcua's getBuiltInDataType). Never throws: a Bad status code or a
 * service failure becomes DEVICE_ERROR, an unknown type name or an unfit value INVALID_ARGS.
 */
import type * as OpcuaModule from "node-opcua";
import type { ClientSession, NodeId } from "node-opcua";
import type { DriverReply } from "../../commands/types";

type Opcua = typeof OpcuaModule;

export async function writeValue(
  ua: Opcua,
  session: ClientSession,
  nodeId: NodeId | string,
  value: number | boolean | string,
  dataTypeName: string | undefined,
): Promise<DriverReply> {
  let dataType: OpcuaModule.DataType;
  if (dataTypeName !== undefined) {
    const t = (ua.DataType as unknown as Record<string, unknown>)[dataTypeName];
    if (typeof t !== "number")
      return { ok: false, code: "INVALID_ARGS", message: `unknown dataType "${dataTypeName}"` };
    dataType = t as OpcuaModule.DataType;
  } else {
    try {
      dataType = await session.getBuiltInDataType(ua.resolveNodeId(nodeId));
    } catch (err) {
      return { ok: false, code: "DEVICE_ERROR", message: `cannot read DataType: ${(err as Error).message}` };
    }
  }
  const bool = dataType === ua.DataType.Boolean;
  const text = dataType === ua.DataType.String || dataType === ua.DataType.LocalizedText;
  if (bool !== (typeof value === "boolean") || text !== (typeof value === "string"))
    return {
      ok: false,
      code: "INVALID_ARGS",
      message: `value ${JSON.stringify(value)} does not fit ${ua.DataType[dataType]}`,
    };
  try {
    const status = await session.write({
      nodeId,
      attributeId: ua.AttributeIds.Value,
      value: { value: new ua.Variant({ dataType, value }) },
    });
    if (!status.isGood()) return { ok: false, code: "DEVICE_ERROR", message: `write status ${status.name}` };
    return { ok: true, value };
  } catch (err) {
    return { ok: false, code: "DEVICE_ERROR", message: (err as Error).message };
  }
}
