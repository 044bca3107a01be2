"""Walk graph from OpenStreetMap as CSR arrays; snapping points onto edges."""
