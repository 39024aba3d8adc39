export { RunLog } from "./run-log.js";
export { redactUrl, requestSerializer } from "./request-serializer.js";
