// Start GOV.UK Frontend's components (error summary focus, conditional reveals, ...). The page
// template's own inline script, allowed by its hash in the CSP, has marked the page as scripted.
import { initAll } from '/frontend/govuk-frontend.min.js'
import { labelTables } from './tables.mjs'

initAll()
labelTables(document)
