// On a narrow screen app.css stacks each table row into a list of cells. Here each cell is
// named after its column (data-label, shown before it), and the table keeps its table roles
// for screen readers, which drop them from tables whose CSS display was changed.

const ROLES = [
  ['.govuk-table__head, .govuk-table__body, .govuk-table__foot', 'rowgroup'],
  ['.govuk-table__row', 'row'],
  ['.govuk-table__header[scope=col]', 'columnheader'],
  ['.govuk-table__header[scope=row]', 'rowheader'],
  ['.govuk-table__cell', 'cell'],
]

export function labelTables (root) {
  for (const table of root.querySelectorAll('table.govuk-table')) {
    const headers = table.querySelectorAll(':scope > .govuk-table__head > .govuk-table__row > th')
    if (!headers.length) continue
    const names = Array.from(headers, (th) => th.textContent.trim())
    for (const row of table.querySelectorAll(':scope > .govuk-table__body > .govuk-table__row')) {
      let column = 0
      for (const cell of row.children) {
        const name = names[column]
        if (name && cell.matches('.govuk-table__cell')) cell.dataset.label = name
        column += cell.colSpan || 1
      }
    }
    table.setAttribute('role', 'table')
    for (const [selector, role] of ROLES) {
      for (const part of table.querySelectorAll(selector)) {
        if (part.closest('table') === table) part.setAttribute('role', role)
      }
    }
    table.classList.add('app-table--labelled')
  }
}
