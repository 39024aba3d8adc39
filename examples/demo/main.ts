/** `npm start`: serves the demo OS on PORT (default 7777). */
import { createDemoOS } from "./os.js";

const { os, offline, modelReason } = createDemoOS();
if (offline) {
  os.logger.warn(
    "using the OFFLINE DEMO MODEL (deterministic, no network): set OPENAI_API_KEY, ANTHROPIC_API_KEY or AGENTOS_MODEL to use a real model",
  );
} else {
  os.logger.info({ model: modelReason }, "model chosen");
}
const url = await os.serve();
os.logger.info(`AgentOS demo listening on ${url} (docs: ${url}/docs)`);
