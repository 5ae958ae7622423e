import { shell } from 'electron'

// The file opener port of the invoice PDFs (src/main/invoices): the system's viewer, through
// shell.openPath, which answers '' on success and an error text otherwise. Only paths main
// built itself reach it (the data dir's invoices folder); the renderer never names a path.
export const openWithSystemViewer = (path: string): Promise<string> => shell.openPath(path)
