export { escapeMeasurement, escapeTag, escapeFieldString, seriesKey, pointLine } from "./line-protocol";
export type { Sink, WriteFailedHandler } from "./sink";
export { InfluxV1Writer, v1AuthHeaders } from "./v1-writer";
export type { V1WriterOptions } from "./v1-writer";
export { InfluxV2Writer } from "./v2-writer";
export { LineWriter } from "./line-writer";
export type { LineWriterOptions, SinkJournal, WriteTarget } from "./line-writer";
export type { V2WriterOptions } from "./v2-writer";
export { queryV1History, influxqlString, influxqlIdent } from "./v1-query";
