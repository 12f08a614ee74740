// The analysts' network view: draws the group with cytoscape.js from the page's JSON data block
// (#network-data, written by the server; no inline script, as the CSP forbids it). Selecting a person
// opens their record only where the server said the user may (data.href); otherwise it says that
// opening the record needs break-glass. The tables below the picture hold the same information.
(function () {
  'use strict'

  var container = document.getElementById('network-graph')
  var dataBlock = document.getElementById('network-data')
  var selection = document.getElementById('network-selection')
  if (!container || !dataBlock || typeof window.cytoscape !== 'function') {
    return
  }
  var elements = JSON.parse(dataBlock.textContent)
  if (!elements.nodes.length) {
    return
  }
  container.hidden = false

  var TYPE_LABELS = { place: 'Place', vehicle: 'Vehicle', phone: 'Phone' }

  function paragraph (text) {
    var p = document.createElement('p')
    p.className = 'govuk-body'
    p.textContent = text
    return p
  }

  function link (text, href) {
    var a = document.createElement('a')
    a.className = 'govuk-link'
    a.href = href
    a.textContent = text
    return a
  }

  function show (parts) {
    while (selection.firstChild) {
      selection.removeChild(selection.firstChild)
    }
    parts.forEach(function (part) { selection.appendChild(part) })
  }

  function describe (node) {
    var d = node.data()
    var links = node.connectedEdges().length
    var linked = ' Linked to ' + links + ' other member' + (links === 1 ? '' : 's') + ' here.'
    if (d.type === 'person' && d.href) {
      show([paragraph('Opening the record of ' + d.label + '.'), link('Open the record of ' + d.label, d.href)])
      window.location.assign(d.href)
      return
    }
    if (d.type === 'person' && d.restricted) {
      var parts = [paragraph('This person is outside your access. Opening their record needs break-glass: you give a reason, and it is reviewed.' + linked)]
      if (d.breakGlass) {
        var p = document.createElement('p')
        p.className = 'govuk-body'
        p.appendChild(link('Open the record with break-glass', d.breakGlass))
        parts.push(p)
      }
      show(parts)
      return
    }
    var kind = d.type === 'person' ? 'Person' : (TYPE_LABELS[d.type] || d.type)
    show([paragraph(kind + ': ' + d.label + '.' + linked)])
  }

  var cy = window.cytoscape({
    container: container,
    elements: elements,
    minZoom: 0.2,
    maxZoom: 3,
    layout: {
      name: 'cose',
      animate: false,
      randomize: true,
      padding: 30,
      nodeRepulsion: function () { return 400000 },
      nodeOverlap: 20,
      idealEdgeLength: function () { return 110 },
      edgeElasticity: function () { return 100 },
      gravity: 0.4,
      numIter: 1500
    },
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'font-family': 'arial, sans-serif',
          'font-size': 11,
          'min-zoomed-font-size': 7,
          color: '#0b0c0c',
          'text-valign': 'bottom',
          'text-margin-y': 4,
          'text-wrap': 'ellipsis',
          'text-max-width': 120,
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.8,
          width: 22,
          height: 22,
          'background-color': '#505a5f',
          'border-width': 1,
          'border-color': '#0b0c0c'
        }
      },
      { selector: 'node[type = "person"][role = "child"]', style: { shape: 'ellipse', 'background-color': '#1d70b8' } },
      { selector: 'node[type = "person"][role = "adult"]', style: { shape: 'rectangle', 'background-color': '#d4351c' } },
      { selector: 'node[type = "place"]', style: { shape: 'diamond', 'background-color': '#00703c' } },
      { selector: 'node[type = "vehicle"]', style: { shape: 'triangle', 'background-color': '#4c2c92' } },
      { selector: 'node[type = "phone"]', style: { shape: 'hexagon', 'background-color': '#7d5c2d' } },
      { selector: 'node[?restricted]', style: { 'background-color': '#b1b4b6', 'border-style': 'dashed', 'border-width': 2 } },
      { selector: 'node[href != ""]', style: { 'border-width': 2 } },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#ffdd00', 'overlay-opacity': 0 } },
      {
        selector: 'edge',
        style: {
          width: 1.5,
          'line-color': '#6f777b',
          'curve-style': 'haystack',
          opacity: 0.7
        }
      },
      { selector: 'edge[?concerning]', style: { width: 3.5, 'line-color': '#0b0c0c' } },
      { selector: 'edge[type = "plate"]', style: { 'line-style': 'dashed' } }
    ]
  })

  cy.on('tap', 'node', function (event) {
    describe(event.target)
  })
  cy.on('mouseover', 'node[href != ""]', function () { container.classList.add('sightline-network--pointer') })
  cy.on('mouseout', 'node', function () { container.classList.remove('sightline-network--pointer') })
  window.sightlineNetwork = cy // for the browser tests and the curious
})()
