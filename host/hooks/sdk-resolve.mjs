// Module resolve hook: a drop-in plugin lives outside this install's node_modules tree, so its
// `import '@hostplane/sdk'` would not resolve. When normal resolution fails for the SDK, use the
// host's own copy, so every plugin shares one SDK (and one set of brands and error classes).
let sdkBase;

export function initialize(data) {
  sdkBase = data.sdkBase;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (sdkBase && (specifier === '@hostplane/sdk' || specifier.startsWith('@hostplane/sdk/'))) {
      return nextResolve(specifier, { ...context, parentURL: sdkBase });
    }
    throw error;
  }
}
