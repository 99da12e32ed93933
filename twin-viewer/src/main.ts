/** Entry point of the twin viewer (served by the gateway at `/`). */
import "./ui/styles.css";
import { startApp } from "./app";

startApp().catch((err: unknown) => {
  console.error("CityTwin viewer failed to start", err);
});
