// electron-builder's beforePack hook (electron-builder.yml): the native module it ships must
// be the checked Electron build, for the Electron it packs. Refuses (fails the package) with
// what to run otherwise.
const { join } = require('node:path')

/** Throws unless <root>/.native holds a checked better-sqlite3 build for the installed Electron. */
async function checkNativeForPackaging(root, electronVersion) {
  const { electronTarget, electronBuildUpToDate } = await import('../native/electron-abi.mjs')
  const target = electronTarget(root)
  const version = electronVersion ?? target.version
  const dir = join(root, '.native', `electron-${target.abi}`)
  if (version !== target.version || !electronBuildUpToDate(dir, target)) {
    throw new Error(
      `no checked better-sqlite3 build for Electron ${version} (NODE_MODULE_VERSION ${target.abi}) in ${dir}: ` +
        "run `npm run rebuild:electron` (it needs Electron's headers), then package again."
    )
  }
  return join(dir, 'better_sqlite3.node')
}

exports.checkNativeForPackaging = checkNativeForPackaging
exports.default = async function beforePack(context) {
  await checkNativeForPackaging(join(__dirname, '..', '..'), context?.packager?.config?.electronVersion ?? undefined)
}
