// The feed's envelope and page verification, one implementation for the app and the relay.
export { publicKeyFromBase64, recordHash, signedContent, type SignedFields } from './envelope'
export { checkEachRecord, checkFeedRecord, FeedRecordRejected, verifyRecord, type CheckedRecord, type CheckedRecords } from './record'
export { checkFeedPage, FeedPageRejected, type CheckedPage } from './page'
export { followKeyChain, keyIdOf, KeySet, resolveKey, signKeySet, type FeedKeys } from './key-set'
