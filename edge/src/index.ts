export * from "./config/schema";
