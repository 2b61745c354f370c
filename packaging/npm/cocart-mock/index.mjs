import cjs from "./index.js";
export const { start, binaryPath, argsFor, CocartMock, MockError } = cjs;
export default cjs;
