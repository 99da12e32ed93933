/** The operations overview's strings (zh-CN default, en). */
import { defineStrings } from "../ui/i18n";

export const s = defineStrings({
  title: { zh: "城市运行体征", en: "City vital signs" },
  collapse: { zh: "收起", en: "Collapse" },
  expand: { zh: "展开", en: "Expand" },
  area: { zh: "区域", en: "Area" },
  reporting: { zh: "在报/总数", en: "Reporting" },
  levels: { zh: "预警分布", en: "Levels" },
  worst: { zh: "最高", en: "Worst" },
  alarms: { zh: "报警", en: "Alarms" },
  sensorsOnline: { zh: "传感器在报", en: "Sensors reporting" },
  devicesOnline: { zh: "设备在线", en: "Devices online" },
  gatewaysOnline: { zh: "网关在线", en: "Gateways online" },
  closureRate: { zh: "24小时事件闭环率", en: "24 h incident closure" },
  medianClose: { zh: "中位处置时长", en: "Median time to close" },
  minutes: { zh: "分钟", en: "min" },
  none: { zh: "—", en: "—" },
  flyTo: { zh: "点击飞行至该区域", en: "Click to fly there" },
});
